// The one reducer of job events, used by Electron main (which jobs must end if the engine host
// dies) and by the renderer (progress and result per job id). A job is known from its
// `jobStarted`, `jobProgress` or `jobFinished` event (events may arrive before the answer that
// carries the id); after its one `jobFinished` it is finished for good (later events are ignored).
import type { ErrorInfo } from './result';
import type { StudioEvent } from './studio-api';
import type { JobFinishedEvent, JobProgressEvent, StudioJobKind } from './studio-jobs';

export type JobEvent = Extract<StudioEvent, { event: 'jobStarted' | 'jobProgress' | 'jobFinished' }>;

export interface JobState {
  readonly jobId: string;
  readonly kind: StudioJobKind;
  readonly progress: JobProgressEvent | undefined;
  readonly finished: JobFinishedEvent | undefined;
}

export function isJobEvent(event: StudioEvent): event is JobEvent {
  return event.event === 'jobStarted' || event.event === 'jobProgress' || event.event === 'jobFinished';
}

/** The state of `event`'s job after it, from what was known before (undefined: nothing yet). */
export function reduceJobEvent(known: JobState | undefined, event: JobEvent): JobState {
  const { jobId, kind } = event.payload;
  const state: JobState = known ?? { jobId, kind, progress: undefined, finished: undefined };
  if (state.finished) return state;
  if (event.event === 'jobProgress') return { ...state, progress: event.payload };
  if (event.event === 'jobFinished') return { ...state, finished: event.payload };
  return state;
}

/** The jobFinished events that end every unfinished job of `jobs` with `error` (a dead engine). */
export function abandonJobs(jobs: Iterable<JobState>, error: ErrorInfo): JobEvent[] {
  const ends: JobEvent[] = [];
  for (const job of jobs) {
    if (!job.finished) ends.push({ event: 'jobFinished', payload: { jobId: job.jobId, kind: job.kind, result: { ok: false, error } } } as JobEvent);
  }
  return ends;
}
