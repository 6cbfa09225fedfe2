// StudioApi handlers of APTP pruning that are not generic run control: what a configuration would
// cost before it starts (pruneEstimate), and starting a pruning run (startPrune: a worker process
// of run kind 'prune'). Pausing, resuming, cancelling and following it go through the runs API.
import type { StudioHandlers } from '../../shared/studio-api';
import { estimatePrune, findDataset, PRUNE_RUN_KIND } from '../aptp/trainer/prune-job';
import { startRun } from '../runs/launcher';
import type { Workspace } from '../store/workspace';

export function pruneHandlers(workspace: () => Workspace): Pick<StudioHandlers, 'pruneEstimate' | 'startPrune'> {
  return {
    pruneEstimate: (input) => estimatePrune(workspace(), input),
    startPrune: async (input) => {
      const ws = workspace();
      findDataset(ws, input.dataset);
      return { runId: (await startRun(ws, PRUNE_RUN_KIND, input)).id };
    },
  };
}
