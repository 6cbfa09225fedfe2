// StudioApi handlers of APTP pruning that are not generic run control: what a configuration would
// cost before it starts (pruneEstimate, and pruneProbe: real steps timed on this machine), and starting a pruning run (startPrune: a worker process
// of run kind 'prune'). Pausing, resuming, cancelling and following it go through the runs API.
import type { StudioHandlers } from '../../shared/studio-api';
import { estimatePrune, findDataset, PRUNE_RUN_KIND } from '../aptp/trainer/prune-job';
import { probePrune } from '../aptp/trainer/probe';
import { startRun } from '../runs/launcher';
import type { Workspace } from '../store/workspace';

export function pruneHandlers(workspace: () => Workspace): Pick<StudioHandlers, 'pruneEstimate' | 'pruneProbe' | 'startPrune'> {
  return {
    pruneEstimate: (input) => estimatePrune(workspace(), input),
    pruneProbe: (input) => probePrune(workspace(), input),
    startPrune: async (input) => {
      const ws = workspace();
      findDataset(ws, input.dataset);
      return { runId: (await startRun(ws, PRUNE_RUN_KIND, input)).id };
    },
  };
}
