// One import or preparation job of the Dataset view as runes: start it (the engine answers with the
// job id at once), read its progress and its one result from the shell's JobTracker (which keeps
// events that arrive before the id does), and cancel it. Only what is dataset-specific lives here:
// the job's kind, its typed value, and the phase the progress bar shows.
import type { ErrorInfo, Result } from '../../../shared/result';
import type { StudioJobValue } from '../../../shared/studio-jobs';
import type { JobTracker } from '../../lib/state/jobs.svelte';

type DatasetJobKind = 'importDataset' | 'prepareDataset';
export type JobPhase = 'idle' | 'running' | 'cancelling' | 'done' | 'failed' | 'cancelled';

export class DatasetJob<K extends DatasetJobKind> {
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
