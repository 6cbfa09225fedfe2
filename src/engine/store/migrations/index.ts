// Every schema migration, in order. Adding one: a new numbered file, one line here, one test.
import type { Migration } from './migration';
import { initial } from './001-initial';
import { datasets } from './002-datasets';
import { runsAsProcesses } from './003-runs-as-processes';
import { routing } from './004-routing';
import { datasetCuration } from './005-dataset-curation';
import { generations } from './006-generations';
import { runSamples } from './007-run-samples';
import { routingCodeBias } from './008-routing-code-bias';

export const migrations: readonly Migration[] = [initial, datasets, runsAsProcesses, routing, datasetCuration, generations, runSamples, routingCodeBias];
