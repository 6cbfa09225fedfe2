// Every job the engine reports, as runes: progress and the final Result per job id, fed by the
// StudioApi's events. Events may arrive before the request that started the job has answered
// (transports do not order the two), so state is kept for any id and read when asked for. App
// makes one tracker and provides it as context.
import { createContext } from 'svelte';
import { SvelteMap } from 'svelte/reactivity';
import type { Result } from '../../../shared/result';
import type { StudioApi } from '../../../shared/studio-api';
import type { JobFinishedEvent, JobProgressEvent } from '../../../shared/studio-jobs';

export interface JobView {
  readonly progress: JobProgressEvent | undefined;
  readonly finished: JobFinishedEvent | undefined;
}

export class JobTracker {
  readonly #jobs = new SvelteMap<string, JobView>();
  readonly #stop: () => void;

  constructor(private readonly api: StudioApi) {
    this.#stop = api.onEvent((event) => {
      const known = this.#jobs.get(event.payload.jobId) ?? { progress: undefined, finished: undefined };
      if (event.event === 'jobProgress') this.#jobs.set(event.payload.jobId, { ...known, progress: event.payload });
      else this.#jobs.set(event.payload.jobId, { ...known, finished: event.payload });
    });
  }

  /** Records progress learned other than by event (listJobs), unless an event said more already. */
  seed(progress: JobProgressEvent): void {
    const known = this.#jobs.get(progress.jobId);
    if (!known?.progress && !known?.finished) this.#jobs.set(progress.jobId, { progress, finished: undefined });
  }

  /** What is known of a job (reactive). */
  get(jobId: string): JobView {
    return this.#jobs.get(jobId) ?? { progress: undefined, finished: undefined };
  }

  cancel(jobId: string): Promise<Result<{ cancelled: boolean }>> {
    return this.api.cancelJob({ jobId });
  }

  /** Forgets a finished job's state. */
  forget(jobId: string): void {
    this.#jobs.delete(jobId);
  }

  dispose(): void {
    this.#stop();
  }
}

export const [getJobTracker, setJobTracker] = createContext<JobTracker>();
