// Every schema migration, in order. Adding one: a new numbered file, one line here, one test.
import type { Migration } from './migration';
import { initial } from './001-initial';
import { datasets } from './002-datasets';
import { runsAsProcesses } from './003-runs-as-processes';
import { routing } from './004-routing';
import { reservedDatasets } from './005-reserved-datasets';
import { reservedStudio } from './006-reserved-studio';
import { runSamples } from './007-run-samples';

export const migrations: readonly Migration[] = [initial, datasets, runsAsProcesses, routing, reservedDatasets, reservedStudio, runSamples];
