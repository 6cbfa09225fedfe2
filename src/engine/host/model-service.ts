// The Model view's StudioApi handlers: inspect a model folder (or single-file checkpoint) and start
// a generation job whose progress and image arrive as job events (every image is kept in the
// workspace, generation-history.ts); plus cancelJob and listJobs for any job.
import type { StudioHandlers } from '../../shared/studio-api';
import type { Workspace } from '../store/workspace';
import { keepGeneration } from './generation-history';
import type { JobRegistry } from './job-registry';
import type { ModelGenerator } from './model-generation';
import { inspectModel } from './model-inspect';

type ModelHandlers = Pick<StudioHandlers, 'inspectModel' | 'generateImage' | 'cancelJob' | 'listJobs'>;

export function modelHandlers(jobs: JobRegistry, generator: ModelGenerator, workspace: () => Workspace): ModelHandlers {
  return {
    // Opening a model again means its files may have changed: the next generation reloads them.
    inspectModel: ({ dir, ...options }) => {
      void generator.release(dir);
      return inspectModel(dir, options);
    },
    generateImage: async (input) => ({ jobId: jobs.start('generateImage', async (ctx) => keepGeneration(workspace(), input, await generator.generate(input, ctx))) }),
    cancelJob: async ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
    listJobs: async () => ({ jobs: jobs.running() }),
  };
}
