// The StudioApi handler that times a pruning configuration on this machine before it starts
// (pruneProbe: real steps on the execution provider a run would use, cached per step shape).
import type { StudioHandlers } from '../../shared/studio-api';
import { probePrune } from '../aptp/trainer/probe';
import type { Workspace } from '../store/workspace';

export function probeHandlers(workspace: () => Workspace): Pick<StudioHandlers, 'pruneProbe'> {
  return { pruneProbe: (input) => probePrune(workspace(), input) };
}
