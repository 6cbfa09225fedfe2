// Result values: how errors cross process boundaries ({ok:false, error:{code, message, details}}).
// Contracts only: no runtime imports beyond zod.
import { z } from 'zod';

export const errorInfoSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).default({}),
});
export type ErrorInfo = z.infer<typeof errorInfoSchema>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: string, message: string, details: Record<string, unknown> = {}): Result<T> {
  return { ok: false, error: { code, message, details } };
}

/** Turns any thrown value into an ErrorInfo; keeps code/details of errors that carry them. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error && typeof error === 'object' && 'code' in error && 'message' in error) {
    const e = error as { code: unknown; message: unknown; details?: unknown };
    const details = e.details && typeof e.details === 'object' ? (e.details as Record<string, unknown>) : {};
    return { code: String(e.code), message: String(e.message), details };
  }
  return { code: 'internal', message: error instanceof Error ? error.message : String(error), details: {} };
}
