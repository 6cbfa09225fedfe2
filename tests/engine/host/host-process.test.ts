// The engine host entry, bundled as electron-vite bundles it (packages external) and run for real
// off the main thread in a worker thread: it answers request envelopes on its port with validated
// results from the engine, sends job events back on the same port (as main forwards them to the
// window), and refuses to run when started as a plain process.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkspace } from '../../../src/engine/store/workspace';
import { machineInfoSchema } from '../../../src/shared/machine-info';
import type { StudioEvent } from '../../../src/shared/studio-api';
import { createStudioRpcClient, type StudioRpcClient } from '../../../src/shared/studio-client';
import { writeTinyFolder } from '../models/sd/loader/tiny-folder';

const SOURCE = resolve('src/engine/host/host-process.ts');

let temp: string;
let bundleDir: string;
let entry: string;
let worker: Worker;
let rpc: StudioRpcClient;

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'aptp-host-'));
  // Inside the repository so the bundle resolves node_modules like out/main/engine-host.js does.
  mkdirSync(resolve('.aptp-tmp'), { recursive: true });
  bundleDir = mkdtempSync(resolve('.aptp-tmp', 'host-'));
  entry = join(bundleDir, 'engine-host.mjs');
  await build({ entryPoints: [SOURCE], outfile: entry, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'silent' });
  worker = new Worker(entry, { argv: [`--workspace=${join(temp, 'ws')}`] });
  rpc = createStudioRpcClient({ send: (envelope) => worker.postMessage(envelope) });
  worker.on('message', (message: unknown) => rpc.receive(message));
});

afterAll(async () => {
  await worker.terminate();
  rmSync(temp, { recursive: true, force: true });
  rmSync(bundleDir, { recursive: true, force: true });
});

describe('engine host', () => {
  it('answers getMachineInfo for the workspace it was started with', async () => {
    const result = await rpc.api.getMachineInfo();
    expect(result.ok).toBe(true);
    if (result.ok) {
      const info = machineInfoSchema.parse(result.value);
      expect(info.workspaceDir).toBe(join(temp, 'ws'));
      expect(info.databasePath).toBe(join(temp, 'ws', 'studio.db'));
    }
  });

  it('answers an invalid request with an error value and keeps serving', async () => {
    const invalid = await rpc.call('ping', { unexpected: true });
    expect(invalid.ok).toBe(false);
    if (!invalid.ok) expect(invalid.error.code).toBe('invalid-request');
    expect((await rpc.api.ping()).ok).toBe(true);
  });

  it('sends a job\'s progress and result back on its port as validated events', async () => {
    const model = await writeTinyFolder(join(temp, 'tiny-sd'));
    const events: StudioEvent[] = [];
    rpc.api.onEvent((e) => events.push(e));
    const started = await rpc.api.generateImage({ dir: model, prompt: 'a', seed: 2, steps: 2, guidance: 1, width: 8, height: 8 });
    if (!started.ok) throw new Error(started.error.message);
    const { jobId } = started.value;
    await expect.poll(() => events.find((e) => e.event === 'jobFinished'), { timeout: 60_000 }).toBeDefined();
    const last = events.findLast((e) => e.event === 'jobProgress');
    expect(last).toMatchObject({ event: 'jobProgress', payload: { jobId, detail: 'decoding the image' } });
    // PNDM (the folder's scheduler) runs one extra PLMS warm-up call: 2 steps are 3 UNet calls.
    expect(last?.event === 'jobProgress' && [last.payload.done, last.payload.total]).toEqual([3, 3]);
    expect(events.at(-1)).toMatchObject({ event: 'jobFinished', payload: { jobId, result: { ok: true, value: { width: 8, height: 8, scheduler: 'pndm', steps: 2 } } } });
  });

  it('carries the run endpoints on its port: list, read, metrics, pause, cancel, resume', async () => {
    const ws = openWorkspace(join(temp, 'ws'));
    const run = ws.runs.add({ kind: 'pruneExperts' });
    ws.metrics.record(run.id, [{ name: 'loss', step: 3, value: 1, wallTime: 1 }]);
    ws.close();
    expect(await rpc.api.listRuns({ limit: 5 })).toMatchObject({ ok: true, value: { runs: [{ id: run.id, status: 'pending' }] } });
    expect(await rpc.api.getRun({ runId: run.id })).toMatchObject({ ok: true, value: { id: run.id, metricNames: ['loss'] } });
    expect(await rpc.api.runMetrics({ runId: run.id, names: ['loss'] })).toEqual({ ok: true, value: { series: [{ name: 'loss', points: [{ step: 3, value: 1, min: 1, max: 1 }], totalPoints: 1 }] } });
    expect(await rpc.api.pauseRun({ runId: run.id })).toMatchObject({ ok: true, value: { requested: true, run: { status: 'paused' } } });
    expect(await rpc.api.cancelRun({ runId: run.id })).toMatchObject({ ok: true, value: { requested: true, run: { status: 'cancelled' } } });
    expect(await rpc.api.resumeRun({ runId: run.id })).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
  });

  it('refuses to run when started directly, in one line', () => {
    const run = spawnSync(process.execPath, [entry], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});
