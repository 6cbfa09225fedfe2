// Validation at every edge of the StudioApi: request inputs, response outputs and events are parsed
// with the shared schemas before anything acts on them. Failures become error values (never throws).
import type { z } from 'zod';
import { fail, ok, toErrorInfo, type Result } from './result';
import {
  isStudioMethod,
  studioEvents,
  studioRequests,
  type StudioEvent,
  type StudioHandlers,
  type StudioMethod,
  type StudioOutput,
} from './studio-api';

function issuesOf(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

/** Checks a method name and its input; the value is the parsed input. */
export function parseRequest(method: unknown, input: unknown): Result<{ method: StudioMethod; input: unknown }> {
  if (!isStudioMethod(method)) {
    return fail('unknown-method', `The studio has no request named ${JSON.stringify(method)}.`, { method });
  }
  const parsed = studioRequests[method].input.safeParse(input ?? {});
  if (!parsed.success) {
    return fail('invalid-request', `The input of ${method} is not valid: ${parsed.error.issues[0]?.message ?? 'unknown issue'}.`, {
      method,
      issues: issuesOf(parsed.error),
    });
  }
  return ok({ method, input: parsed.data });
}

/** Checks what a handler returned against the method's output schema. */
export function parseOutput<M extends StudioMethod>(method: M, output: unknown): Result<StudioOutput<M>> {
  const parsed = studioRequests[method].output.safeParse(output);
  if (!parsed.success) {
    return fail('invalid-response', `The engine's answer to ${method} does not match the contract.`, {
      method,
      issues: issuesOf(parsed.error),
    });
  }
  return ok(parsed.data as StudioOutput<M>);
}

/** Checks an event name and payload. */
export function parseEvent(event: unknown, payload: unknown): Result<StudioEvent> {
  if (typeof event !== 'string' || !Object.hasOwn(studioEvents, event)) {
    return fail('unknown-event', `The studio has no event named ${JSON.stringify(event)}.`, { event });
  }
  const name = event as keyof typeof studioEvents;
  const parsed = studioEvents[name].safeParse(payload);
  if (!parsed.success) {
    return fail('invalid-event', `The payload of event ${name} is not valid.`, { event: name, issues: issuesOf(parsed.error) });
  }
  return ok({ event: name, payload: parsed.data } as StudioEvent);
}

/** Where a failed handler's error (with its stack) is logged; only the ErrorInfo crosses the boundary. */
export type StudioErrorLog = (method: StudioMethod, error: unknown) => void;

/** Runs one request against a handler table: validate input, call, validate output, errors as values. */
export async function handleStudioRequest(
  handlers: StudioHandlers,
  method: unknown,
  input: unknown,
  logError?: StudioErrorLog,
): Promise<Result<unknown>> {
  const request = parseRequest(method, input);
  if (!request.ok) return request;
  try {
    const handler = handlers[request.value.method] as (input: unknown) => Promise<unknown>;
    return parseOutput(request.value.method, await handler(request.value.input));
  } catch (error) {
    logError?.(request.value.method, error);
    return { ok: false, error: toErrorInfo(error) };
  }
}
