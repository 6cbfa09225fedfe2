// What the engine host writes to its log for a failed request or job: an ordinary user error (an
// EngineError whose code means "the input was wrong": a folder that is not a model, a size the model
// cannot make, a cancelled job) is one line with its code and message; anything else (a bug, a
// runtime or store failure, a non-engine error) gets its stack. Never the error's details: those can
// hold a listing of the folder the user chose (their home folder), which stays out of logs.
import { isEngineError, type EngineErrorCode } from '../core/errors';

/** Codes that mean the user's input or choice was wrong, not that the engine broke. */
const ORDINARY: ReadonlySet<EngineErrorCode> = new Set<EngineErrorCode>(['invalid-argument', 'io-failure', 'corrupt-file', 'unsupported-model', 'store-too-new', 'cancelled', 'busy', 'not-found', 'provider-unavailable']);

export function isOrdinaryError(error: unknown): boolean {
  return isEngineError(error) && ORDINARY.has(error.code);
}

/** The log text for `error` while doing `what` (one line, or the stack for the unexpected). */
export function errorLogText(what: string, error: unknown): string {
  if (isEngineError(error) && ORDINARY.has(error.code)) return `${what} failed [${error.code}]: ${error.message.replace(/\s*\n\s*/g, ' ')}`;
  const stack = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
  return `${what} failed: ${stack}`;
}
