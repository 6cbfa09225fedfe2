// The engine side of the StudioApi: one handler per request in the shared table (a missing one is
// a compile error), the host's short jobs (generation), the runs (worker processes, watched in the
// database so runs started anywhere show live), and the events they emit. Transport-free; the Electron
// engine host and the web server both run it and pass on what it emits.
import type { StudioHandlers } from '../../shared/studio-api';
import { datasetHandlers } from './dataset-handlers';
import { datasetManageHandlers } from './dataset-manage-handlers';
import { getMachineInfo } from '../system/machine-info';
import { historyHandlers } from './generation-history';
import { JobRegistry, type StudioEmit } from './job-registry';
import { ModelGenerator } from './model-generation';
import { modelHandlers } from './model-service';
import { probeHandlers } from './probe-handlers';
import { pruneHandlers } from './prune-handlers';
import { routingHandlers } from './routing-service';
import { cancelRunJob, runHandlers, runJobs } from './run-service';
import { RunWatcher } from './run-watcher';
import { worldHandlers } from './world-handlers';
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
  const workspace = () => context.workspace.get();
  const runs = new RunWatcher(workspace, (event) => context.emit?.(event));
  if (context.emit) runs.start();
  const handlers: StudioHandlers = {
    ping: async () => ({ pong: true, engineTime: Date.now() }),
    getMachineInfo: () => getMachineInfo(workspace()),
    ...datasetHandlers(workspace),
    ...datasetManageHandlers(workspace),
    ...runHandlers(workspace),
    ...modelHandlers(jobs, generator, workspace),
    ...historyHandlers(workspace),
    ...pruneHandlers(() => context.workspace.get()),
    ...probeHandlers(() => context.workspace.get()),
    ...routingHandlers(() => context.workspace.get()),
    ...worldHandlers(workspace),
    // A job id is a host job's (generation) or a run's (import, preparation): both are cancelled here.
    cancelJob: async ({ jobId }) => ({ cancelled: jobs.cancel(jobId) || cancelRunJob(workspace(), jobId) }),
    listJobs: async () => ({ jobs: [...jobs.running(), ...runJobs(workspace())] }),
  };
  return {
    handlers,
    close: async () => {
      runs.stop();
      await jobs.close();
      await generator.dispose();
    },
  };
}
