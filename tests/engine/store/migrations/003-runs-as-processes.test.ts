// Migration 3 rebuilds runs for worker processes: existing runs, their metric series and artifacts
// survive the rebuild; the new statuses are allowed; one active run per resource.
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../../src/engine/store/migrate';
import { initial } from '../../../../src/engine/store/migrations/001-initial';
import { datasets } from '../../../../src/engine/store/migrations/002-datasets';
import { runsAsProcesses } from '../../../../src/engine/store/migrations/003-runs-as-processes';
import { RunRepository } from '../../../../src/engine/store/repositories/runs';

function atVersion2WithARun() {
  const db = new BetterSqlite3(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, [initial, datasets]);
  db.prepare("INSERT INTO projects VALUES ('p', 'demo', '2026-01-01', '{}')").run();
  db.prepare("INSERT INTO runs (id, project_id, kind, status, config_json, created_at) VALUES ('r', 'p', 'demo-train', 'completed', '{\"steps\":3}', 'then')").run();
  db.prepare("INSERT INTO metric_series VALUES ('r', 'loss', 0, 1.5, 1), ('r', 'loss', 1, 0.5, 2)").run();
  db.prepare(`INSERT INTO artifacts VALUES ('a', 'p', 'r', 'onnx', '/x.onnx', '${'b'.repeat(64)}', 10, 'then')`).run();
  return db;
}

describe('migration 003-runs-as-processes', () => {
  it('keeps runs, their metric series and artifacts, with foreign keys still on and intact', () => {
    const db = atVersion2WithARun();
    migrate(db, [initial, datasets, runsAsProcesses]);
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const run = new RunRepository(db).require('r');
    expect(run).toMatchObject({ kind: 'demo-train', status: 'completed', config: { steps: 3 }, pid: null, progress: { done: 0, total: 0, detail: '' }, attempts: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM metric_series').get()).toEqual({ n: 2 });
    expect(db.prepare("SELECT run_id FROM artifacts WHERE id = 'a'").get()).toEqual({ run_id: 'r' });
    db.prepare("DELETE FROM projects WHERE id = 'p'").run();
    expect(db.prepare('SELECT count(*) AS n FROM metric_series').get()).toEqual({ n: 0 });
    db.close();
  });

  it('allows the worker statuses and runs without a project, and refuses unknown statuses', () => {
    const db = atVersion2WithARun();
    migrate(db, [initial, datasets, runsAsProcesses]);
    const insert = (id: string, status: string) => db.prepare("INSERT INTO runs (id, kind, status, created_at) VALUES (?, 'importDataset', ?, 'now')").run(id, status);
    for (const status of ['pausing', 'cancelling', 'interrupted']) insert(status, status);
    expect(() => insert('x', 'exploded')).toThrow(/CHECK/);
    db.close();
  });

  it('lets one active run hold a resource; a finished one frees it', () => {
    const db = atVersion2WithARun();
    migrate(db, [initial, datasets, runsAsProcesses]);
    const runs = new RunRepository(db);
    const first = runs.add({ kind: 'importDataset', resource: 'dataset:/data/cats' });
    expect(() => runs.add({ kind: 'importDataset', resource: 'dataset:/data/cats' })).toThrow(/\/data\/cats is being written by run .{8} \(importDataset, pending\)/);
    runs.add({ kind: 'importDataset', resource: 'dataset:/data/dogs' });
    runs.finish(first.id, 'completed', { result: { ok: 1 } });
    expect(runs.add({ kind: 'importDataset', resource: 'dataset:/data/cats' }).status).toBe('pending');
    db.close();
  });

  it('moves runs only along their life cycle: claim once, requests, dead workers, resume', () => {
    const db = atVersion2WithARun();
    migrate(db, [initial, datasets, runsAsProcesses]);
    const runs = new RunRepository(db);
    const run = runs.add({ kind: 'importDataset', resource: 'dataset:/d' });
    expect(runs.claim(run.id, 111)).toBe(true);
    expect(runs.claim(run.id, 222)).toBe(false);
    expect(runs.request(run.id, 'pause')).toBe(true);
    expect(runs.heartbeat(run.id, 111)).toBe('pause');
    expect(runs.require(run.id).status).toBe('pausing');
    expect(runs.markDead(run.id, 999)).toBe(false);
    expect(runs.markDead(run.id, 111)).toBe(true);
    expect(runs.require(run.id)).toMatchObject({ status: 'interrupted', pid: null, requested: null });
    expect(runs.request(run.id, 'pause')).toBe(false);
    expect(runs.reopen(run.id).status).toBe('pending');
    expect(() => runs.reopen(run.id)).toThrow(/only a paused, interrupted or failed run can be resumed/);
    expect(runs.request(run.id, 'cancel')).toBe(true);
    expect(runs.require(run.id).status).toBe('cancelled');
    expect(runs.byPrefix(run.id.slice(0, 6)).id).toBe(run.id);
    expect(() => runs.byPrefix('zz')).toThrow(/No run id starts with 'zz'/);
    db.close();
  });

  it('gives a run executed in its own process (the demo) that process as pid, without a heartbeat', () => {
    const db = atVersion2WithARun();
    migrate(db, [initial, datasets, runsAsProcesses]);
    const runs = new RunRepository(db);
    const run = runs.create('p', 'demo-train');
    expect(runs.setStatus(run.id, 'running')).toMatchObject({ status: 'running', pid: process.pid, heartbeatAt: null });
    expect(runs.setStatus(run.id, 'completed')).toMatchObject({ status: 'completed', pid: null });
    db.close();
  });
});
