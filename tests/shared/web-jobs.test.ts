// Job events through the real web transport: `startWebStudioSession` (as `aptp studio --web` runs
// it: the engine in a forked host process) over a WebSocket client: generateImage answers with a
// job id, its progress and final image arrive as validated events on every connected client,
// cancelJob stops a job between steps, and a host killed mid-job ends that job with exactly one
// engine-stopped event while the server lives on and starts a new host.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWebStudioSession, type WebStudioSession } from '../../src/cli/studio';
import type { StudioEvent } from '../../src/shared/studio-api';
import { createStudioRpcClient, type StudioRpcClient } from '../../src/shared/studio-client';
import { parseJson } from '../../src/shared/studio-wire';
import { writeTinyFolder } from '../engine/models/sd/loader/tiny-folder';

let temp: string;
let model: string;
let session: WebStudioSession;

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'aptp-web-jobs-'));
  mkdirSync(join(temp, 'app', 'out', 'renderer'), { recursive: true });
  writeFileSync(join(temp, 'app', 'out', 'renderer', 'index.html'), '<!doctype html><title>studio</title>');
  model = await writeTinyFolder(join(temp, 'tiny-sd'));
  session = await startWebStudioSession({ root: join(temp, 'app'), workspace: join(temp, 'ws') });
});

afterAll(async () => {
  await session.stop();
  rmSync(temp, { recursive: true, force: true });
});

async function connect(): Promise<{ rpc: StudioRpcClient; events: StudioEvent[]; ws: WebSocket }> {
  const { server } = session;
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, { origin: server.origin });
  await new Promise((done, fail) => ws.once('open', done).once('error', fail));
  const invalid: string[] = [];
  const rpc = createStudioRpcClient({ send: (e) => ws.send(JSON.stringify(e)), onInvalid: (problem) => invalid.push(problem) });
  ws.on('message', (data) => rpc.receive(parseJson(String(data))));
  const events: StudioEvent[] = [];
  rpc.api.onEvent((e) => events.push(e));
  return { rpc, events, ws };
}

const request = { prompt: 'a', seed: 1, steps: 2, guidance: 2, width: 16, height: 16, scheduler: 'euler' as const };
const ended = (events: StudioEvent[], jobId: string) => events.find((e) => e.event === 'jobFinished' && e.payload.jobId === jobId);

describe('jobs over the web studio', () => {
  it('streams a generation job to every client: step progress, then the image', async () => {
    const a = await connect();
    const b = await connect();
    const started = await a.rpc.api.generateImage({ dir: model, ...request });
    if (!started.ok) throw new Error(started.error.message);
    const { jobId } = started.value;
    await expect.poll(() => ended(b.events, jobId), { timeout: 60_000 }).toBeDefined();
    await expect.poll(() => ended(a.events, jobId)).toBeDefined();
    const progress = a.events.flatMap((e) => (e.event === 'jobProgress' && e.payload.jobId === jobId ? [e.payload.done] : []));
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(2);
    expect(ended(a.events, jobId)).toMatchObject({ payload: { kind: 'generateImage', result: { ok: true, value: { width: 16, height: 16, steps: 2, scheduler: 'euler' } } } });
    expect(ended(b.events, jobId)).toEqual(ended(a.events, jobId));
    a.ws.close();
    b.ws.close();
  });

  it('lists a running job and cancels it on request; the job ends with the cancelled error value', async () => {
    const { rpc, events, ws } = await connect();
    const started = await rpc.api.generateImage({ dir: model, ...request, steps: 500 });
    if (!started.ok) throw new Error(started.error.message);
    const { jobId } = started.value;
    await expect.poll(() => events.some((e) => e.event === 'jobProgress' && e.payload.jobId === jobId && e.payload.done > 0), { timeout: 60_000 }).toBe(true);
    const listed = await rpc.api.listJobs();
    expect(listed.ok && listed.value.jobs.map((j) => [j.jobId, j.kind, (j.progress?.done ?? 0) > 0])).toEqual([[jobId, 'generateImage', true]]);
    expect(await rpc.api.cancelJob({ jobId })).toEqual({ ok: true, value: { cancelled: true } });
    await expect.poll(() => ended(events, jobId), { timeout: 60_000 }).toMatchObject({ payload: { result: { ok: false, error: { code: 'cancelled' } } } });
    expect(await rpc.api.cancelJob({ jobId })).toEqual({ ok: true, value: { cancelled: false } });
    expect(await rpc.api.listJobs()).toEqual({ ok: true, value: { jobs: [] } });
    ws.close();
  });

  it('refuses a generation request that breaks the contract before any job starts', async () => {
    const { rpc, events, ws } = await connect();
    const bad = await rpc.call('generateImage', { dir: model, ...request, steps: 0 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const sneaky = await rpc.call('generateImage', { dir: model, ...request, out: '/etc/passwd' });
    expect(sneaky).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(events).toEqual([]);
    ws.close();
  });

  it('ends the jobs of a killed engine host with one engine-stopped event each; the next request starts a new host', async () => {
    const { rpc, events, ws } = await connect();
    const started = await rpc.api.generateImage({ dir: model, ...request, steps: 500 });
    if (!started.ok) throw new Error(started.error.message);
    const { jobId } = started.value;
    // Events and answers travel separately (shared/job-events.ts): jobStarted may come after the answer, once.
    await expect.poll(() => events.some((e) => e.event === 'jobProgress' && e.payload.jobId === jobId && e.payload.done > 0), { timeout: 60_000 }).toBe(true);
    expect(events.filter((e) => e.event === 'jobStarted' && e.payload.jobId === jobId)).toHaveLength(1);
    const pid = session.host.pid();
    expect(pid).toBeGreaterThan(0);
    expect(pid).not.toBe(process.pid);
    process.kill(pid!, 'SIGKILL');
    await expect.poll(() => ended(events, jobId), { timeout: 30_000 }).toMatchObject({ payload: { kind: 'generateImage', result: { ok: false, error: { code: 'engine-stopped' } } } });
    await new Promise((r) => setTimeout(r, 500));
    expect(events.filter((e) => e.event === 'jobFinished' && e.payload.jobId === jobId)).toHaveLength(1);
    expect(await rpc.api.ping()).toMatchObject({ ok: true, value: { pong: true } });
    expect(session.host.pid()).not.toBe(pid);
    ws.close();
  });
});
