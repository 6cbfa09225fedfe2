// Which engine-host jobs are still running, as main sees their events pass (the shared reducer;
// a job is known from its jobStarted event, never from a method name). When the host dies,
// `abandon` gives each such job its one jobFinished event, so no window waits for it forever.
import { abandonJobs, isJobEvent, reduceJobEvent, type JobEvent, type JobState } from '../shared/job-events';
import type { ErrorInfo } from '../shared/result';
import type { StudioEvent } from '../shared/studio-api';

export class JobWatch {
  readonly #jobs = new Map<string, JobState>();

  observe(event: StudioEvent): void {
    if (!isJobEvent(event)) return;
    const state = reduceJobEvent(this.#jobs.get(event.payload.jobId), event);
    if (state.finished) this.#jobs.delete(state.jobId);
    else this.#jobs.set(state.jobId, state);
  }

  /** The events that end every job still running with `error`; forgets them. */
  abandon(error: ErrorInfo): JobEvent[] {
    const events = abandonJobs(this.#jobs.values(), error);
    this.#jobs.clear();
    return events;
  }
}
