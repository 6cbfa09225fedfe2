// The engine side of the StudioApi: one handler per request in the shared table (a missing one is
// a compile error), the running jobs, and the events they emit. Transport-free; the Electron
// engine host and the web server both run it and pass on what it emits.
import type { StudioHandlers } from '../../shared/studio-api';
import { datasetHandlers } from './dataset-handlers';
import { getMachineInfo } from '../system/machine-info';
import { JobRegistry, type StudioEmit } from './job-registry';
import { ModelGenerator } from './model-generation';
import { modelHandlers } from './model-service';
import { pruneHandlers } from './prune-handlers';
import { routingHandlers } from './routing-service';
import type { WorkspaceHolder } from './workspace-holder';

export interface StudioServiceContext {
  readonly workspace: WorkspaceHolder;
  /** Where job events go (the transport's broadcast); default: nowhere. */
  readonly emit?: StudioEmit;
  /** Where failed jobs are logged with their stacks. */
  readonly logJobError?: (jobId: string, error: unknown) => void;
}

export interface StudioService {
  readonly handlers: StudioHandlers;
  /** Cancels running jobs, waits for them to end and frees loaded models. */
  close(): Promise<void>;
}

export function createStudioService(context: StudioServiceContext): StudioService {
  const jobs = new JobRegistry((event) => context.emit?.(event), { logError: context.logJobError });
  const generator = new ModelGenerator();
  const handlers: StudioHandlers = {
    ping: async () => ({ pong: true, engineTime: Date.now() }),
    getMachineInfo: () => getMachineInfo(context.workspace.get()),
    ...datasetHandlers(() => context.workspace.get(), (kind, run) => jobs.start(kind, run)),
    ...modelHandlers(jobs, generator),
    ...pruneHandlers(() => context.workspace.get()),
    ...routingHandlers(() => context.workspace.get()),
  };
  return {
    handlers,
    close: async () => {
      await jobs.close();
      await generator.dispose();
    },
  };
}
