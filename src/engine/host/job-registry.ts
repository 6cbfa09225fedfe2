// The engine host's running jobs: `start` gives a job an id and runs it after the caller has that
// id (its first event is `jobStarted {jobId, kind}`), its JobContext's progress becomes `jobProgress` events (throttled, the latest never lost),
// and every job ends with exactly one `jobFinished` event carrying a Result. `cancel` aborts a
// job's signal; the job stops between steps and finishes with the error code 'cancelled'.
import { randomUUID } from 'node:crypto';
import { toErrorInfo } from '../../shared/result';
import type { StudioEvent } from '../../shared/studio-api';
import type { JobProgressEvent, StudioJobKind, StudioJobValue } from '../../shared/studio-jobs';
import type { JobContext, JobProgress } from '../jobs/job';

export type StudioEmit = (event: StudioEvent) => void;
export type JobRun<K extends StudioJobKind> = (ctx: JobContext) => Promise<StudioJobValue<K>>;

export interface JobRegistryOptions {
  /** Least time between two progress events of one job (the last one is always sent). */
  readonly progressIntervalMs?: number;
  /** Where failed jobs are logged with their stacks (only the error value is emitted). */
  readonly logError?: (jobId: string, error: unknown) => void;
}

interface RunningJob {
  readonly kind: StudioJobKind;
  readonly controller: AbortController;
  readonly ended: Promise<void>;
  /** The latest progress the job reported (sent or held back by the throttle). */
  progress: JobProgressEvent | null;
}

/** Sends progress at most every `interval` ms; what is held back goes out later or at `flush`. */
class ProgressThrottle {
  #last = -Infinity;
  #pending: JobProgressEvent | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly interval: number,
    private readonly send: (p: JobProgressEvent) => void,
  ) {}

  push(p: JobProgressEvent): void {
    this.#pending = p;
    const wait = this.#last + this.interval - Date.now();
    if (wait <= 0 || p.done === p.total) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), wait);
  }

  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#pending) return;
    this.send(this.#pending);
    this.#pending = undefined;
    this.#last = Date.now();
  }
}

export class JobRegistry {
  readonly #running = new Map<string, RunningJob>();

  constructor(
    private readonly emit: StudioEmit,
    private readonly options: JobRegistryOptions = {},
  ) {}

  /** Starts `run` as a job of `kind`; returns its id before any of its events is emitted. */
  start<K extends StudioJobKind>(kind: K, run: JobRun<K>): string {
    const jobId = randomUUID();
    const controller = new AbortController();
    const ended = new Promise<void>((resolve) => setImmediate(() => void this.#run(jobId, kind, controller.signal, run).finally(resolve)));
    this.#running.set(jobId, { kind, controller, ended, progress: null });
    return jobId;
  }

  /** Asks a running job to stop; false when no job with that id is running. */
  cancel(jobId: string): boolean {
    const job = this.#running.get(jobId);
    if (!job) return false;
    job.controller.abort();
    return true;
  }

  /** The jobs running now, with their latest progress. */
  running(): Array<{ jobId: string; kind: StudioJobKind; progress: JobProgressEvent | null }> {
    return [...this.#running].map(([jobId, job]) => ({ jobId, kind: job.kind, progress: job.progress }));
  }

  /** Cancels every running job and waits until each has finished. */
  async close(): Promise<void> {
    const jobs = [...this.#running.values()];
    for (const job of jobs) job.controller.abort();
    await Promise.all(jobs.map((job) => job.ended));
  }

  async #run<K extends StudioJobKind>(jobId: string, kind: K, signal: AbortSignal, run: JobRun<K>): Promise<void> {
    this.emit({ event: 'jobStarted', payload: { jobId, kind } });
    const throttle = new ProgressThrottle(this.options.progressIntervalMs ?? 100, (payload) => this.emit({ event: 'jobProgress', payload }));
    const progress = (p: JobProgress): void => {
      const event = { jobId, kind, done: p.done, total: p.total, detail: p.detail ?? '', metrics: { ...p.metrics } };
      const job = this.#running.get(jobId);
      if (job) job.progress = event;
      throttle.push(event);
    };
    let result: { ok: true; value: StudioJobValue<K> } | { ok: false; error: ReturnType<typeof toErrorInfo> };
    try {
      result = { ok: true, value: await run({ signal, progress }) };
    } catch (error) {
      result = { ok: false, error: toErrorInfo(error) };
      if (result.error.code !== 'cancelled') this.options.logError?.(jobId, error);
    }
    throttle.flush();
    this.#running.delete(jobId);
    this.emit({ event: 'jobFinished', payload: { jobId, kind, result } as StudioEvent['payload'] } as StudioEvent);
  }
}
