// The engine side of the StudioApi: one handler per request in the shared table (a missing one is
// a compile error). Transport-free; the Electron engine host and the web server both run it.
import type { StudioHandlers } from '../../shared/studio-api';
import { datasetHandlers } from '../data/dataset-service';
import { getMachineInfo } from '../system/machine-info';
import type { WorkspaceHolder } from './workspace-holder';

export interface StudioServiceContext {
  readonly workspace: WorkspaceHolder;
}

export function createStudioService(context: StudioServiceContext): StudioHandlers {
  return {
    ping: async () => ({ pong: true, engineTime: Date.now() }),
    getMachineInfo: () => getMachineInfo(context.workspace.get()),
    ...datasetHandlers(() => context.workspace.get()),
  };
}
