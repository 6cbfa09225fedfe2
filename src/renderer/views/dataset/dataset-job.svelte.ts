// One import or preparation job of the Dataset view as runes: start it (the engine answers with the
// job id at once), follow its jobProgress events, keep its one jobFinished result, cancel it.
// Events can arrive before the id does (transports do not order the two), so events of unknown
// ids are held until the start answers.
import type { ErrorInfo, Result } from '../../../shared/result';
import type { StudioApi, StudioEvent } from '../../../shared/studio-api';
import type { JobProgressEvent, StudioJobValue } from '../../../shared/studio-jobs';

type DatasetJobKind = 'importDataset' | 'prepareDataset';
export type JobPhase = 'idle' | 'running' | 'cancelling' | 'done' | 'failed' | 'cancelled';

export class DatasetJob<K extends DatasetJobKind> {
  phase = $state<JobPhase>('idle');
  progress = $state<JobProgressEvent | undefined>(undefined);
  value = $state<StudioJobValue<K> | undefined>(undefined);
  error = $state<ErrorInfo | undefined>(undefined);
  #jobId: string | undefined;
  #early: StudioEvent[] = [];
  #stop: () => void;
  #onDone: ((value: StudioJobValue<K>) => void) | undefined;

  constructor(private readonly api: StudioApi, readonly kind: K) {
    this.#stop = api.onEvent((e) => this.#take(e));
  }

  get running(): boolean {
    return this.phase === 'running' || this.phase === 'cancelling';
  }

  /** Starts the job with `request` (the call that answers with its id); `onDone` gets its value. */
  async start(request: () => Promise<Result<{ jobId: string }>>, onDone?: (value: StudioJobValue<K>) => void): Promise<void> {
    this.phase = 'running';
    this.progress = undefined;
    this.value = undefined;
    this.error = undefined;
    this.#onDone = onDone;
    this.#jobId = undefined;
    this.#early = [];
    const started = await request();
    if (!started.ok) {
      this.error = started.error;
      this.phase = 'failed';
      return;
    }
    this.#jobId = started.value.jobId;
    const early = this.#early;
    this.#early = [];
    for (const e of early) this.#take(e);
  }

  async cancel(): Promise<void> {
    if (!this.#jobId || !this.running) return;
    this.phase = 'cancelling';
    await this.api.cancelJob({ jobId: this.#jobId });
  }

  #take(e: StudioEvent): void {
    if (e.payload.kind !== this.kind || !this.running) return;
    if (this.#jobId === undefined) {
      this.#early.push(e);
      return;
    }
    if (e.payload.jobId !== this.#jobId) return;
    if (e.event === 'jobProgress') {
      this.progress = e.payload;
      return;
    }
    const result = e.payload.result;
    if (result.ok) {
      this.value = result.value as StudioJobValue<K>;
      this.phase = 'done';
      this.#onDone?.(this.value);
    } else {
      this.error = result.error;
      this.phase = result.error.code === 'cancelled' ? 'cancelled' : 'failed';
    }
  }

  dispose(): void {
    this.#stop();
  }
}
