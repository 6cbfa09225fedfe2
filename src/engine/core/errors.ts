// EngineError: every failure the engine reports is a value with a stable code, a message that tells
// the user what to do next, and structured details (op, node, shapes, file, tensor, row...).
// Stacks stay in logs; the code and details cross process boundaries (see src/shared/result.ts).

export type EngineErrorCode =
  | 'invalid-argument'
  | 'shape-mismatch'
  | 'dtype-mismatch'
  | 'unknown-op'
  | 'graph-invalid'
  | 'no-gradient'
  | 'runtime-failure'
  | 'provider-unavailable'
  | 'io-failure'
  | 'corrupt-file'
  | 'unsupported-model'
  | 'store-failure'
  | 'store-too-new'
  | 'cancelled'
  | 'busy'
  | 'not-found';

export type ErrorDetails = Readonly<Record<string, unknown>>;

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  readonly details: ErrorDetails;

  constructor(code: EngineErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineError';
    this.code = code;
    this.details = details;
  }
}

export function isEngineError(value: unknown): value is EngineError {
  return value instanceof EngineError;
}
