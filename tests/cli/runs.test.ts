// Runs as processes, as a user drives them: `aptp data import` starts a worker process and
// follows it; the studio's run list shows it while it runs; kill -9 of the worker is noticed
// (interrupted), `aptp runs resume` finishes it with every item there once; a second import of the
// same folder is refused while the first runs (one writer per dataset), and so is a preparation;
// pause and cancel are requests any process writes; Ctrl-C on `runs follow` leaves the run going.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudioService } from '../../src/engine/host/studio-service';
import { WorkspaceHolder } from '../../src/engine/host/workspace-holder';
import type { Run } from '../../src/engine/store/repositories/runs';
import { openWorkspace, type Workspace } from '../../src/engine/store/workspace';
import { put, solidImage } from '../engine/data/fixtures';
import { tempDir } from '../engine/store/helpers';

const root = join(import.meta.dirname, '..', '..');
const temp = tempDir('aptp-runs-');
const workspaceDir = join(temp.dir, 'workspace');
const ITEMS = 700;
let ws: Workspace;
const started: ChildProcess[] = [];

const cliArgs = (args: string[]) => ['--import', 'tsx', join(root, 'src/cli/entry.ts'), ...args];
const env = { ...process.env, APTP_WORKSPACE: workspaceDir };

function aptp(...args: string[]) {
  const r = spawnSync(process.execPath, cliArgs(args), { cwd: root, encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Starts `aptp ...` in the background; resolves its exit code and output when it ends. */
function aptpAsync(...args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; err: string; out: string }> } {
  const child = spawn(process.execPath, cliArgs(args), { cwd: root, env });
  started.push(child);
  let err = '';
  let out = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, done: new Promise((resolve) => child.on('close', (code) => resolve({ code, err, out }))) };
}

async function makeFolder(name: string, count: number): Promise<string> {
  const dir = join(temp.dir, name);
  const base = await solidImage('jpeg', 320, 320, 1);
  for (let i = 0; i < count; i++) {
    const bytes = Buffer.from(base);
    bytes[bytes.length - 3] = i % 256;
    put(dir, `img${String(i).padStart(5, '0')}.jpg`, bytes);
    put(dir, `img${String(i).padStart(5, '0')}.txt`, `caption ${i}`);
  }
  return dir;
}

/** The run importing `folder`, once its worker has written some progress. */
async function runningImport(folder: string): Promise<Run> {
  let found: Run | undefined;
  await expect
    .poll(() => {
      found = ws.runs.list(50).find((r) => r.resource === `dataset:${folder}` && r.status === 'running' && r.progress.done > 0 && r.pid !== null);
      return found !== undefined;
    }, { timeout: 90_000, interval: 100 })
    .toBe(true);
  return found!;
}

function itemsOf(folder: string): { rows: number; keys: number } {
  return ws.db.prepare('SELECT count(*) AS rows, count(DISTINCT key) AS keys FROM dataset_items i JOIN datasets d ON d.id = i.dataset_id WHERE d.root = ?').get(folder) as { rows: number; keys: number };
}

let folder: string;
beforeAll(async () => {
  folder = await makeFolder('photos', ITEMS);
  ws = openWorkspace(workspaceDir);
}, 120_000);
afterAll(() => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  for (const run of ws.runs.active()) if (run.pid) process.kill(run.pid, 'SIGKILL');
  ws.close();
  temp.cleanup();
});

describe('runs as processes', () => {
  it('survives kill -9 of its worker: interrupted, resumed, every item there once; one writer per dataset meanwhile', async () => {
    const follower = aptpAsync('data', 'import', folder);
    const run = await runningImport(folder);
    // Hold the worker still (SIGSTOP) so the checks below see it running however slow this machine is.
    process.kill(run.pid!, 'SIGSTOP');

    const studio = createStudioService({ workspace: new WorkspaceHolder(workspaceDir) });
    const listed = await studio.handlers.listRuns({ limit: 10 });
    expect(listed.runs.find((r) => r.id === run.id)).toMatchObject({ kind: 'importDataset', status: 'running', resource: `dataset:${folder}` });
    await studio.close();

    const second = aptp('data', 'import', folder);
    expect(second.code).toBe(1);
    expect(second.err).toContain(`${folder} is being written by run ${run.id.slice(0, 8)} (importDataset, running)`);
    const prepare = aptp('data', 'prepare', folder, '--model', join(temp.dir, 'no-model-needed-to-be-refused'));
    expect(prepare.code).toBe(1);
    expect(prepare.err).toContain('is being written by run');

    process.kill(run.pid!, 'SIGKILL');
    const ended = await follower.done;
    expect(ended.code).toBe(1);
    expect(ended.err).toContain(`aptp runs resume ${run.id.slice(0, 8)}`);
    expect(aptp('runs', 'show', run.id.slice(0, 8)).out).toMatch(/status\s+interrupted/);
    const before = itemsOf(folder).rows;
    expect(before).toBeLessThan(ITEMS);

    const resumed = aptp('runs', 'resume', run.id.slice(0, 8));
    expect(resumed.code, resumed.err).toBe(0);
    const followed = aptp('runs', 'follow', run.id.slice(0, 8));
    expect(followed.code, followed.err).toBe(0);
    expect(ws.runs.require(run.id)).toMatchObject({ status: 'completed', attempts: 2, pid: null });
    expect(itemsOf(folder)).toEqual({ rows: ITEMS, keys: ITEMS });
  }, 300_000);

  it('lets exactly one of two imports started at once write the dataset; every item is there once', async () => {
    const copy = join(temp.dir, 'copy');
    cpSync(folder, copy, { recursive: true });
    const [a, b] = await Promise.all([aptpAsync('data', 'import', copy).done, aptpAsync('data', 'import', copy).done]);
    expect([a.code, b.code].sort()).toEqual([0, 1]);
    expect((a.code === 1 ? a : b).err).toMatch(/is being written by run/);
    expect(itemsOf(copy)).toEqual({ rows: ITEMS, keys: ITEMS });
  }, 300_000);

  it('pauses, resumes and cancels from another process; Ctrl-C on follow leaves the run going', async () => {
    const other = join(temp.dir, 'other');
    cpSync(folder, other, { recursive: true });
    const importer = aptpAsync('data', 'import', other);
    const run = await runningImport(other);
    process.kill(run.pid!, 'SIGSTOP');

    const watcher = aptpAsync('runs', 'follow', run.id.slice(0, 8));
    let watcherErr = '';
    watcher.child.stderr?.on('data', (d: Buffer) => (watcherErr += d.toString()));
    await expect.poll(() => watcherErr, { timeout: 60_000 }).toMatch(/importDataset \[#*-*\]/);
    watcher.child.kill('SIGINT');
    const left = await watcher.done;
    expect(left.code).toBe(130);
    expect(left.err).toContain('goes on');
    expect(ws.runs.require(run.id).status).toBe('running');

    // Requests are rows: written while the worker is held, picked up by its next heartbeat.
    expect(aptp('runs', 'pause', run.id.slice(0, 8)).code).toBe(0);
    expect(ws.runs.require(run.id).status).toBe('pausing');
    process.kill(run.pid!, 'SIGCONT');
    const paused = await importer.done;
    expect(paused.code).toBe(130);
    expect(paused.err).toContain('is paused');
    expect(ws.runs.require(run.id)).toMatchObject({ status: 'paused', pid: null });

    expect(aptp('runs', 'resume', run.id.slice(0, 8)).code).toBe(0);
    const again = await runningImport(other);
    process.kill(again.pid!, 'SIGSTOP');
    expect(aptp('runs', 'cancel', run.id.slice(0, 8)).code).toBe(0);
    expect(ws.runs.require(run.id).status).toBe('cancelling');
    process.kill(again.pid!, 'SIGCONT');
    await expect.poll(() => ws.runs.require(run.id).status, { timeout: 30_000 }).toBe('cancelled');
    const list = aptp('runs', 'list');
    expect(list.out).toMatch(new RegExp(`${run.id.slice(0, 8)}\\s+importDataset\\s+cancelled`));
  }, 300_000);
});
