// The StudioApi contract: inputs, outputs and events are validated at every edge, errors cross
// as values, and a handler table that misses an endpoint does not compile.
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../src/engine/core/errors';
import type { MachineInfo } from '../../src/shared/machine-info';
import { studioMethods, type StudioHandlers } from '../../src/shared/studio-api';
import { createStudioRpcClient } from '../../src/shared/studio-client';
import { eventEnvelope, serveStudioMessage } from '../../src/shared/studio-server';
import { handleStudioRequest, parseEvent, parseRequest } from '../../src/shared/studio-validate';

const machine: MachineInfo = {
  engineVersion: '0.1.0',
  onnxruntimeVersion: '1.24.3',
  nodeVersion: 'v20.20.0',
  platform: 'linux',
  arch: 'x64',
  cpuModel: 'test cpu',
  cpuThreads: 2,
  intraOpThreads: 2,
  totalMemoryBytes: 1024,
  freeMemoryBytes: 512,
  providers: [{ name: 'cpu', available: true, reason: 'always available' }],
  chosenProvider: 'cpu',
  chosenReason: 'no GPU provider is installed',
  workspaceDir: '/tmp/ws',
  databasePath: '/tmp/ws/studio.db',
  databaseVersion: 1,
};

/** Endpoints these tests do not exercise answer with an error, so the table stays complete as endpoints are added. */
const unexercised = Object.fromEntries(
  studioMethods.map((m) => [m, async () => { throw new EngineError('invalid-argument', `${m} is not exercised by the contract tests`); }]),
) as unknown as StudioHandlers;

function handlers(overrides: Partial<StudioHandlers> = {}): StudioHandlers {
  return { ...unexercised, ping: async () => ({ pong: true, engineTime: 1 }), getMachineInfo: async () => machine, ...overrides };
}

describe('request validation', () => {
  it('accepts a known method with a valid input', () => {
    expect(parseRequest('getMachineInfo', {})).toEqual({ ok: true, value: { method: 'getMachineInfo', input: {} } });
  });

  it.each([
    ['an unknown method', 'dropTables', {}, 'unknown-method'],
    ['a prototype key as method', 'toString', {}, 'unknown-method'],
    ['a non-string method', 42, {}, 'unknown-method'],
    ['unexpected input fields', 'ping', { evil: true }, 'invalid-request'],
    ['a non-object input', 'ping', 'hello', 'invalid-request'],
  ])('rejects %s', (_name, method, input, code) => {
    const result = parseRequest(method, input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
  });
});

describe('handleStudioRequest', () => {
  it('returns the handler output as a value', async () => {
    expect(await handleStudioRequest(handlers(), 'getMachineInfo', {})).toEqual({ ok: true, value: machine });
  });

  it('refuses an output that breaks the contract', async () => {
    const broken = handlers({ getMachineInfo: async () => ({ ...machine, cpuThreads: -1 }) });
    const result = await handleStudioRequest(broken, 'getMachineInfo', {});
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('invalid-response');
  });

  it('turns a thrown EngineError into an error value with its code and details', async () => {
    const failing = handlers({
      getMachineInfo: async () => {
        throw new EngineError('store-too-new', 'The workspace was written by a newer studio.', { version: 9 });
      },
    });
    expect(await handleStudioRequest(failing, 'getMachineInfo', {})).toEqual({
      ok: false,
      error: { code: 'store-too-new', message: 'The workspace was written by a newer studio.', details: { version: 9 } },
    });
  });
});

describe('events', () => {
  it('accepts a valid job progress event', () => {
    const payload = { jobId: 'j1', kind: 'generateImage', done: 5, total: 10, detail: 'step 5 of 10', metrics: { loss: 0.25 } };
    expect(parseEvent('jobProgress', payload)).toEqual({ ok: true, value: { event: 'jobProgress', payload } });
  });

  it('fills a progress event\'s optional detail and metrics', () => {
    const payload = { jobId: 'j1', kind: 'generateImage', done: 0, total: 3 };
    expect(parseEvent('jobProgress', payload)).toEqual({ ok: true, value: { event: 'jobProgress', payload: { ...payload, detail: '', metrics: {} } } });
  });

  it('accepts a finished job with its typed value or an error value', () => {
    const image = { generationId: 'g1', dataUrl: 'data:image/png;base64,AAAA', width: 16, height: 16, seed: 1, steps: 2, scheduler: 'ddim', elapsedMs: 12 };
    const done = { jobId: 'j1', kind: 'generateImage', result: { ok: true, value: image } };
    expect(parseEvent('jobFinished', done)).toEqual({ ok: true, value: { event: 'jobFinished', payload: done } });
    const failed = { jobId: 'j1', kind: 'generateImage', result: { ok: false, error: { code: 'cancelled', message: 'stopped', details: {} } } };
    expect(parseEvent('jobFinished', failed).ok).toBe(true);
  });

  it.each([
    ['an unknown event', 'explode', {}],
    ['negative progress', 'jobProgress', { jobId: 'j1', kind: 'generateImage', done: -1, total: 2 }],
    ['a missing job id', 'jobProgress', { kind: 'generateImage', done: 0, total: 2 }],
    ['an unknown job kind', 'jobProgress', { jobId: 'j1', kind: 'mineBitcoin', done: 0, total: 2 }],
    ['a job value of the wrong kind', 'jobFinished', { jobId: 'j1', kind: 'generateImage', result: { ok: true, value: { dataUrl: 'file:///etc/passwd' } } }],
  ])('rejects %s', (_name, event, payload) => {
    expect(parseEvent(event, payload).ok).toBe(false);
  });
});

describe('message transport (client and server halves)', () => {
  function connected(table: StudioHandlers) {
    const invalid: string[] = [];
    const client = createStudioRpcClient({
      send: (envelope) => void serveStudioMessage(table, structuredClone(envelope)).then((r) => client.receive(structuredClone(r))),
      onInvalid: (problem) => invalid.push(problem),
    });
    return { client, invalid };
  }

  it('round-trips typed requests', async () => {
    const { client } = connected(handlers());
    expect(await client.api.getMachineInfo()).toEqual({ ok: true, value: machine });
    expect(await client.api.ping({})).toEqual({ ok: true, value: { pong: true, engineTime: 1 } });
  });

  it('answers a message that is not a request with an error value', async () => {
    const response = await serveStudioMessage(handlers(), { kind: 'request', id: 'x', method: 'ping' });
    expect(response).toMatchObject({ kind: 'response', id: 0, result: { ok: false, error: { code: 'invalid-message' } } });
  });

  it('delivers valid events to listeners and drops invalid ones', () => {
    const { client, invalid } = connected(handlers());
    const seen: unknown[] = [];
    const stop = client.api.onEvent((event) => seen.push(event));
    const progress = { jobId: 'j', kind: 'generateImage', done: 1, total: 1, detail: 'done', metrics: {} } as const;
    client.receive(eventEnvelope({ event: 'jobProgress', payload: progress }));
    client.receive({ kind: 'event', event: 'jobProgress', payload: { ...progress, jobId: '', done: -2 } });
    stop();
    client.receive(eventEnvelope({ event: 'jobProgress', payload: { ...progress, detail: 'late' } }));
    expect(seen).toEqual([{ event: 'jobProgress', payload: progress }]);
    expect(invalid).toHaveLength(1);
  });

  it('fails pending and later requests once disconnected', async () => {
    const client = createStudioRpcClient({ send: () => undefined });
    const pending = client.api.ping();
    client.disconnect('gone');
    expect(await pending).toEqual({ ok: false, error: { code: 'disconnected', message: 'gone', details: {} } });
    expect((await client.api.ping()).ok).toBe(false);
  });

  it('validates outputs on the client side too', async () => {
    const client = createStudioRpcClient({
      send: (envelope) => queueMicrotask(() => client.receive({ kind: 'response', id: envelope.id, result: { ok: true, value: { pong: false } } })),
    });
    const result = await client.api.ping();
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('invalid-response');
  });
});

describe('the handler table is exhaustive by type', () => {
  it('does not compile without every endpoint', () => {
    // @ts-expect-error getMachineInfo is missing: adding an endpoint to the table forces a handler.
    const partial: StudioHandlers = { ping: async () => ({ pong: true, engineTime: 0 }) };
    expect(Object.keys(partial)).toEqual(['ping']);
  });
});
