// Which engine-host jobs are still running, as main sees them pass: a job-starting request's answer
// (its method is the job kind, by the contract's convention) and job events. When the host dies,
// `abandon` gives each such job its one jobFinished event, so no window waits for it forever.
import type { ErrorInfo, Result } from '../shared/result';
import type { StudioEvent, StudioMethod } from '../shared/studio-api';
import { jobKindSchema, type StudioJobKind } from '../shared/studio-jobs';

export class JobWatch {
  readonly #running = new Map<string, StudioJobKind>();

  /** Notes a job started by `method` (when the method starts jobs and its answer is a job id). */
  started(method: StudioMethod, result: Result<unknown>): void {
    const kind = jobKindSchema.safeParse(method);
    const value = result.ok ? (result.value as { jobId?: unknown }) : undefined;
    if (kind.success && typeof value?.jobId === 'string') this.#running.set(value.jobId, kind.data);
  }

  observe(event: StudioEvent): void {
    if (event.event === 'jobProgress') this.#running.set(event.payload.jobId, event.payload.kind);
    else if (event.event === 'jobFinished') this.#running.delete(event.payload.jobId);
  }

  /** The events that end every job still running with `error`; forgets them. */
  abandon(error: ErrorInfo): StudioEvent[] {
    const events = [...this.#running].map(([jobId, kind]) => ({ event: 'jobFinished', payload: { jobId, kind, result: { ok: false, error } } }) as StudioEvent);
    this.#running.clear();
    return events;
  }
}
