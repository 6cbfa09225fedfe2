// What every long job receives: a cancel signal and a progress sink. Jobs check `throwIfCancelled`
// between steps; the caller (CLI bar, studio chart) decides how progress is shown.
import { EngineError } from '../core/errors';

export interface JobProgress {
  readonly done: number;
  readonly total: number;
  readonly detail?: string;
  readonly metrics?: Readonly<Record<string, number>>;
}

export interface JobContext {
  readonly signal: AbortSignal;
  progress(p: JobProgress): void;
}

export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new EngineError('cancelled', 'The job was cancelled; its finished steps are kept.', {});
}
