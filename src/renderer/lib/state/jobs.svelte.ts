// Every job the engine reports, as runes: the shared reducer's state per job id, fed by the
// StudioApi's events. Events may arrive before the request that started the job has answered
// (transports do not order the two), so state is kept for any id and read when asked for. App
// makes one tracker for the session and provides it as context; job handles (job-handle.svelte.ts)
// read from it.
import { createContext } from 'svelte';
import { SvelteMap } from 'svelte/reactivity';
import { isJobEvent, reduceJobEvent, type JobState } from '../../../shared/job-events';
import type { Result } from '../../../shared/result';
import type { StudioApi } from '../../../shared/studio-api';
import type { JobFinishedEvent, JobProgressEvent } from '../../../shared/studio-jobs';

export interface JobView {
  readonly progress: JobProgressEvent | undefined;
  readonly finished: JobFinishedEvent | undefined;
}

const NOTHING: JobView = { progress: undefined, finished: undefined };

export class JobTracker {
  readonly #jobs = new SvelteMap<string, JobState>();
  readonly #stop: () => void;

  constructor(private readonly api: StudioApi) {
    this.#stop = api.onEvent((event) => {
      if (isJobEvent(event)) this.#jobs.set(event.payload.jobId, reduceJobEvent(this.#jobs.get(event.payload.jobId), event));
    });
  }

  /** Records progress learned other than by event (listJobs), unless an event said more already. */
  seed(progress: JobProgressEvent): void {
    const known = this.#jobs.get(progress.jobId);
    if (!known?.progress && !known?.finished) this.#jobs.set(progress.jobId, reduceJobEvent(known, { event: 'jobProgress', payload: progress }));
  }

  /** Every job known this session (reactive), in the order first heard of. */
  all(): JobState[] {
    return [...this.#jobs.values()];
  }

  /** What is known of a job (reactive). */
  get(jobId: string): JobView {
    return this.#jobs.get(jobId) ?? NOTHING;
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
