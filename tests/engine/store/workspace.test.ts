// Workspaces on disk: folders created, repositories round-trip, metrics replace on resume.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultWorkspaceDir, openWorkspace, WORKSPACE_FOLDERS } from '../../../src/engine/store/workspace';
import { migrations } from '../../../src/engine/store/migrations';
import { tempDir } from './helpers';

const tmp = tempDir('aptp-ws-');
afterAll(() => tmp.cleanup());

describe('workspace', () => {
  it('creates its folders and database, and reopens the same data', () => {
    const dir = join(tmp.dir, 'ws');
    const ws = openWorkspace(dir);
    for (const f of WORKSPACE_FOLDERS) expect(existsSync(join(dir, f))).toBe(true);
    expect(ws.schemaVersion()).toBe(migrations.length);
    const p = ws.projects.create('cats', { budget: 0.6 });
    const run = ws.runs.create(p.id, 'prune', { steps: 10 });
    expect(ws.runs.setStatus(run.id, 'running').startedAt).not.toBeNull();
    ws.metrics.record(run.id, [
      { name: 'loss', step: 0, value: 1, wallTime: 0 },
      { name: 'loss', step: 1, value: 0.5, wallTime: 1 },
    ]);
    ws.close();

    const again = openWorkspace(dir);
    expect(again.projects.list().map((x) => x.name)).toEqual(['cats']);
    expect(again.projects.get(p.id)?.config).toEqual({ budget: 0.6 });
    expect(again.metrics.series(run.id, 'loss').map((x) => x.value)).toEqual([1, 0.5]);
    again.close();
  });

  it('replaces repeated steps after a resume instead of duplicating them', () => {
    const ws = openWorkspace(join(tmp.dir, 'resume'));
    const p = ws.projects.create('p');
    const run = ws.runs.create(p.id, 'prune');
    ws.metrics.record(run.id, [0, 1, 2, 3].map((step) => ({ name: 'loss', step, value: step, wallTime: step })));
    expect(ws.metrics.truncateAfter(run.id, 1)).toBe(2);
    ws.metrics.record(run.id, [1, 2].map((step) => ({ name: 'loss', step, value: 10 + step, wallTime: step })));
    expect(ws.metrics.series(run.id, 'loss').map((x) => x.value)).toEqual([0, 11, 12]);
    const done = ws.runs.setStatus(run.id, 'failed', { code: 'cancelled' });
    expect(done.finishedAt).not.toBeNull();
    expect(done.error).toEqual({ code: 'cancelled' });
    ws.artifacts.add({ projectId: p.id, runId: run.id, kind: 'checkpoint', path: 'c.bin', sha256: 'a'.repeat(64), bytes: 3 });
    expect(ws.artifacts.listForRun(run.id)).toHaveLength(1);
    ws.close();
  });

  it('takes the default folder from APTP_WORKSPACE', () => {
    expect(defaultWorkspaceDir({ APTP_WORKSPACE: '/tmp/x-ws' })).toBe('/tmp/x-ws');
    expect(defaultWorkspaceDir({})).toMatch(/aptp-studio$/);
  });

  it('explains an unwritable workspace folder', () => {
    const file = join(tmp.dir, 'a-file');
    writeFileSync(file, 'not a folder');
    expect(() => openWorkspace(join(file, 'ws'))).toThrow(/Cannot create the workspace folder/);
  });
});
