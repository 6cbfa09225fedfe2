// Client side of a message-based StudioApi transport: correlates responses with requests by id,
// validates every incoming message (outputs and events too), and fans events out to listeners.
// Transports supply only `send`; they feed what they receive to `receive` and call `disconnect`.
import { fail, type Result } from './result';
import { studioMethods, type StudioApi, type StudioEventListener, type StudioMethod } from './studio-api';
import { parseEvent, parseOutput } from './studio-validate';
import { serverMessageSchema, type RequestEnvelope } from './studio-wire';

export type StudioCall = (method: StudioMethod, input: unknown) => Promise<Result<unknown>>;
export type StudioSubscribe = (listener: StudioEventListener) => () => void;

/** Builds the typed StudioApi from one generic call and one subscription (the only cast is here). */
export function bindStudioApi(call: StudioCall, onEvent: StudioSubscribe): StudioApi {
  const api: Record<string, unknown> = { onEvent };
  for (const method of studioMethods) api[method] = (input?: unknown) => call(method, input ?? {});
  return Object.freeze(api) as StudioApi;
}

export interface StudioRpcClient {
  readonly api: StudioApi;
  /** The untyped entry the typed api is bound to (for forwarding already-validated requests). */
  readonly call: StudioCall;
  /** Feed every message received from the server. Invalid messages are reported, never thrown. */
  receive(message: unknown): void;
  /** Fails every pending request (the connection is gone). */
  disconnect(reason: string): void;
}

export interface StudioRpcOptions {
  send(envelope: RequestEnvelope): void;
  /** Called with messages that do not match the wire format. */
  onInvalid?(problem: string, message: unknown): void;
}

export function createStudioRpcClient(options: StudioRpcOptions): StudioRpcClient {
  const pending = new Map<number, { method: StudioMethod; resolve: (result: Result<unknown>) => void }>();
  const listeners = new Set<StudioEventListener>();
  let nextId = 1;
  let closedReason: string | undefined;

  const call: StudioCall = (method, input) => {
    if (closedReason !== undefined) return Promise.resolve(fail('disconnected', closedReason));
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, { method, resolve });
      try {
        options.send({ kind: 'request', id, method, input });
      } catch (error) {
        pending.delete(id);
        resolve(fail('disconnected', `Could not reach the engine: ${(error as Error).message}`));
      }
    });
  };

  const subscribe: StudioSubscribe = (listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };

  function receive(message: unknown): void {
    const parsed = serverMessageSchema.safeParse(message);
    if (!parsed.success) return options.onInvalid?.('not a studio message', message);
    const msg = parsed.data;
    if (msg.kind === 'event') {
      const event = parseEvent(msg.event, msg.payload);
      if (!event.ok) return options.onInvalid?.(event.error.message, message);
      for (const listener of listeners) listener(event.value);
      return;
    }
    const entry = pending.get(msg.id);
    if (!entry) return options.onInvalid?.(`no pending request ${msg.id}`, message);
    pending.delete(msg.id);
    entry.resolve(msg.result.ok ? parseOutput(entry.method, msg.result.value) : msg.result);
  }

  function disconnect(reason: string): void {
    closedReason = reason;
    for (const entry of pending.values()) entry.resolve(fail('disconnected', reason));
    pending.clear();
  }

  return { api: bindStudioApi(call, subscribe), call, receive, disconnect };
}
