// StudioApi handlers of APTP pruning that are not generic run control: what a configuration would
// cost before it starts (pruneEstimate). Starting, pausing and following a pruning run go through
// the runs API (kind 'prune').
import type { StudioHandlers } from '../../shared/studio-api';
import { estimatePrune } from '../aptp/trainer/prune-job';
import type { Workspace } from '../store/workspace';

export function pruneHandlers(workspace: () => Workspace): Pick<StudioHandlers, 'pruneEstimate'> {
  return {
    pruneEstimate: (input) => estimatePrune(workspace(), input),
  };
}
