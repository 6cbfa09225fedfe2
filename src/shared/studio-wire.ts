// The wire format of a message-based StudioApi transport (WebSocket, engine host port): one
// request/response/event envelope each, parsed with zod on arrival. JSON-safe values only.
import { z } from 'zod';
import { errorInfoSchema, type Result } from './result';
import type { StudioEvent } from './studio-api';

export const requestEnvelopeSchema = z.object({
  kind: z.literal('request'),
  /** Positive; a response with id 0 answers a message that could not be read as a request. */
  id: z.number().int().positive(),
  method: z.string().min(1).max(200),
  input: z.unknown(),
});
export type RequestEnvelope = z.infer<typeof requestEnvelopeSchema>;

const resultSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: errorInfoSchema }),
]);

export const responseEnvelopeSchema = z.object({
  kind: z.literal('response'),
  id: z.number().int().nonnegative(),
  result: resultSchema,
});
export type ResponseEnvelope = { kind: 'response'; id: number; result: Result<unknown> };

export const eventEnvelopeSchema = z.object({
  kind: z.literal('event'),
  event: z.string().min(1).max(200),
  payload: z.unknown(),
});
export type EventEnvelope = { kind: 'event' } & StudioEvent;

/** Any message a server may send to a client. */
export const serverMessageSchema = z.discriminatedUnion('kind', [responseEnvelopeSchema, eventEnvelopeSchema]);

/** Electron IPC channels: one for every request, one for every event (never one per endpoint). */
export const STUDIO_IPC = { request: 'studio:request', event: 'studio:event' } as const;

/** Parses JSON text; undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
