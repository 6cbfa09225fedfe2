// Noticing dead workers from any reader: a run whose worker process is gone, or whose heartbeat
// is older than STALE_MS, becomes interrupted (cancelled when a cancel was pending); a live worker
// with a fresh heartbeat, and an in-process run whose process lives, are left alone.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { markDeadWorkers, STALE_MS } from '../../../src/engine/runs/liveness';
import { openWorkspace } from '../../../src/engine/store/workspace';
import { tempDir } from '../store/helpers';

const temp = tempDir('aptp-liveness-');
const ws = openWorkspace(join(temp.dir, 'ws'));
afterAll(() => {
  ws.close();
  temp.cleanup();
});

/** The pid of a process that has exited (and been reaped). */
const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

describe('markDeadWorkers', () => {
  it('marks runs of dead or silent workers, and only those', () => {
    const dead = ws.runs.add({ kind: 'importDataset', resource: 'dataset:/a' });
    ws.runs.claim(dead.id, deadPid());
    const silent = ws.runs.add({ kind: 'importDataset', resource: 'dataset:/b' });
    ws.runs.claim(silent.id, process.pid);
    const alive = ws.runs.add({ kind: 'importDataset', resource: 'dataset:/c' });
    ws.runs.claim(alive.id, process.pid);
    const cancelling = ws.runs.add({ kind: 'importDataset' });
    ws.runs.claim(cancelling.id, deadPid());
    ws.runs.request(cancelling.id, 'cancel');
    const demo = ws.runs.add({ kind: 'demo-train' });
    ws.runs.setStatus(demo.id, 'running');

    const marked = markDeadWorkers(ws, Date.now() + STALE_MS / 2);
    expect(marked.sort()).toEqual([dead.id, cancelling.id].sort());
    expect(markDeadWorkers(ws, Date.now() + STALE_MS + 5000)).toEqual([silent.id, alive.id]);
    expect(ws.runs.require(dead.id).status).toBe('interrupted');
    expect(ws.runs.require(cancelling.id).status).toBe('cancelled');
    expect(ws.runs.require(silent.id).status).toBe('interrupted');
    expect(ws.runs.require(demo.id)).toMatchObject({ status: 'running', pid: process.pid });
    expect(ws.runs.add({ kind: 'importDataset', resource: 'dataset:/a' }).status).toBe('pending');
  });
});
