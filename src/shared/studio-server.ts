// Server side of a message-based StudioApi transport: parses a request envelope, runs it against
// the handler table with full validation, and produces the response envelope. Never throws.
import { fail } from './result';
import type { StudioEvent, StudioHandlers } from './studio-api';
import { handleStudioRequest, type StudioErrorLog } from './studio-validate';
import { requestEnvelopeSchema, type EventEnvelope, type ResponseEnvelope } from './studio-wire';

/** Answers one raw incoming message; a message that is not a request gets an error with id 0. */
export async function serveStudioMessage(handlers: StudioHandlers, message: unknown, logError?: StudioErrorLog): Promise<ResponseEnvelope> {
  const parsed = requestEnvelopeSchema.safeParse(message);
  if (!parsed.success) {
    return { kind: 'response', id: 0, result: fail('invalid-message', 'The message is not a studio request envelope.') };
  }
  const { id, method, input } = parsed.data;
  return { kind: 'response', id, result: await handleStudioRequest(handlers, method, input, logError) };
}

export function eventEnvelope(event: StudioEvent): EventEnvelope {
  return { kind: 'event', ...event };
}
