// StudioApi handlers of APTP pruning that are not generic run control: what a configuration would
// cost before it starts (pruneEstimate), starting a pruning run (startPrune: a worker process of run
// kind 'prune'), and its per-code samples (runSamples, and runSampleImage: one PNG as a data URL,
// served only when it is a sample the run recorded). Pausing, resuming, cancelling and following a
// run go through the runs API.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StudioHandlers } from '../../shared/studio-api';
import { estimatePrune, findDataset, PRUNE_RUN_KIND } from '../aptp/trainer/prune-job';
import { EngineError } from '../core/errors';
import { startRun } from '../runs/launcher';
import { SampleRepository } from '../store/repositories/samples';
import type { Workspace } from '../store/workspace';

export function pruneHandlers(workspace: () => Workspace): Pick<StudioHandlers, 'pruneEstimate' | 'startPrune' | 'runSamples' | 'runSampleImage'> {
  return {
    pruneEstimate: (input) => estimatePrune(workspace(), input),
    startPrune: async (input) => {
      const ws = workspace();
      findDataset(ws, input.dataset);
      return { runId: (await startRun(ws, PRUNE_RUN_KIND, input)).id };
    },
    runSamples: async ({ runId }) => {
      const ws = workspace();
      if (!ws.runs.get(runId)) throw new EngineError('not-found', `No run ${runId} in this workspace; list runs with listRuns.`, { runId });
      const samples = new SampleRepository(ws.db).list(runId).map((s) => ({ step: s.step, code: s.code, prompt: s.prompt, seed: s.seed, imagePath: s.path }));
      return { samples };
    },
    runSampleImage: async ({ runId, imagePath }) => {
      const ws = workspace();
      const sample = new SampleRepository(ws.db).byPath(runId, imagePath);
      if (!sample) throw new EngineError('not-found', `Run ${runId} has no sample image '${imagePath}'; take paths from runSamples.`, { runId, imagePath });
      const bytes = await readFile(join(ws.dir, sample.path)).catch(() => {
        throw new EngineError('not-found', `The sample image ${sample.path} of run ${runId} is missing from the workspace folder; it was moved or deleted.`, { runId, imagePath });
      });
      return { dataUrl: `data:image/png;base64,${bytes.toString('base64')}` };
    },
  };
}
