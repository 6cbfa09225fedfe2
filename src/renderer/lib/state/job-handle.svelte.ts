// The renderer's one job handle: one job of one kind (a generation, an import run, a preparation
// run) as runes: start it (the engine answers with the job id at once), read its progress and its
// one result from the session's JobTracker (which keeps events that arrive before the id does),
// cancel it, and find it again after a reload (`attach`, from listJobs). App makes the handles for
// the session (job-handles.svelte.ts), so a job outlives the view that started it.
import { createContext } from 'svelte';
import type { ErrorInfo, Result } from '../../../shared/result';
import type { StudioApi } from '../../../shared/studio-api';
import type { StudioJobKind, StudioJobValue } from '../../../shared/studio-jobs';
import type { JobTracker } from './jobs.svelte';

export type JobPhase = 'idle' | 'running' | 'cancelling' | 'done' | 'failed' | 'cancelled';

export class JobHandle<K extends StudioJobKind> {
  jobId = $state<string | undefined>(undefined);
  #starting = $state(false);
  #cancelling = $state(false);
  #startError = $state<ErrorInfo | undefined>(undefined);
  readonly #jobs: JobTracker;

  readonly #view = $derived.by(() => (this.jobId === undefined ? undefined : this.#jobs.get(this.jobId)));
  readonly progress = $derived(this.#view?.progress);
  readonly value = $derived.by((): StudioJobValue<K> | undefined => {
    const end = this.#view?.finished;
    return end?.kind === this.kind && end.result.ok ? (end.result.value as StudioJobValue<K>) : undefined;
  });
  readonly error = $derived.by((): ErrorInfo | undefined => {
    const end = this.#view?.finished;
    return this.#startError ?? (end && !end.result.ok ? end.result.error : undefined);
  });
  readonly phase = $derived.by((): JobPhase => {
    if (this.#startError) return 'failed';
    if (this.#starting) return 'running';
    if (this.jobId === undefined) return 'idle';
    const end = this.#view?.finished;
    if (!end) return this.#cancelling ? 'cancelling' : 'running';
    if (end.result.ok) return 'done';
    return end.result.error.code === 'cancelled' ? 'cancelled' : 'failed';
  });

  constructor(jobs: JobTracker, readonly kind: K) {
    this.#jobs = jobs;
  }

  /** Follows a job of this kind the engine is running (after a page reload), unless one is held. */
  async attach(api: StudioApi): Promise<void> {
    if (this.jobId !== undefined) return;
    const result = await api.listJobs();
    const running = result.ok ? result.value.jobs.find((j) => j.kind === this.kind) : undefined;
    if (!running || this.jobId !== undefined) return;
    if (running.progress) this.#jobs.seed(running.progress);
    this.jobId = running.jobId;
  }

  get running(): boolean {
    return this.phase === 'running' || this.phase === 'cancelling';
  }

  /** Starts the job with `request` (the call that answers with its id), forgetting the last one. */
  async start(request: () => Promise<Result<{ jobId: string }>>): Promise<void> {
    if (this.jobId !== undefined) this.#jobs.forget(this.jobId);
    this.jobId = undefined;
    this.#startError = undefined;
    this.#cancelling = false;
    this.#starting = true;
    const started = await request();
    this.#starting = false;
    if (started.ok) this.jobId = started.value.jobId;
    else this.#startError = started.error;
  }

  async cancel(): Promise<void> {
    if (this.jobId === undefined || this.phase !== 'running') return;
    this.#cancelling = true;
    await this.#jobs.cancel(this.jobId);
  }
}

/** The session's job handles, one per kind a view starts. */
export class SessionJobs {
  readonly generateImage: JobHandle<'generateImage'>;
  readonly importDataset: JobHandle<'importDataset'>;
  readonly prepareDataset: JobHandle<'prepareDataset'>;
  readonly exportDataset: JobHandle<'exportDataset'>;

  constructor(jobs: JobTracker) {
    this.generateImage = new JobHandle(jobs, 'generateImage');
    this.importDataset = new JobHandle(jobs, 'importDataset');
    this.prepareDataset = new JobHandle(jobs, 'prepareDataset');
    this.exportDataset = new JobHandle(jobs, 'exportDataset');
  }
}

export const [getSessionJobs, setSessionJobs] = createContext<SessionJobs>();
