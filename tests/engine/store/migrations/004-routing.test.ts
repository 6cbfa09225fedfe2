// Migration 4 adds routed runs, their experts and assignments, and cached projections, each deleted
// with what it belongs to (run, dataset, item) and guarded by CHECKs against impossible values.
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../../../src/engine/store/migrations';
import { migrate } from '../../../../src/engine/store/migrate';

const HASH = 'b'.repeat(64);

function fresh() {
  const db = new BetterSqlite3(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations.slice(0, 4));
  db.exec(`
    INSERT INTO projects (id, name, created_at) VALUES ('p', 'p', 'now');
    INSERT INTO runs (id, project_id, kind, status, created_at) VALUES ('r', 'p', 'prune', 'running', 'now');
    INSERT INTO datasets (id, name, root, format, status, created_at) VALUES ('d', 'd', '/d', 'prompts', 'ready', 'now');
    INSERT INTO dataset_items (id, dataset_id, key, caption, status, seen_generation) VALUES (1, 'd', 'line:1', 'a fox', 'ok', 1), (2, 'd', 'line:2', 'a car', 'ok', 1);
    INSERT INTO routing_runs VALUES ('r', 'd', 'clip#pooler_output', 100, 'now');
    INSERT INTO routing_experts VALUES ('r', 0, 50, '[]'), ('r', 1, 80, '[]');
    INSERT INTO routing_assignments VALUES ('r', 1, 0, 0.5), ('r', 2, 1, 0.25);
    INSERT INTO projections VALUES ('x', 'd', 'clip#pooler_output', '{}', '${HASH}', 2, 'now');
    INSERT INTO projection_points VALUES ('x', 1, 0.1, 0.2), ('x', 2, -0.3, 0.4);
  `);
  return db;
}

const count = (db: BetterSqlite3.Database, table: string): number => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('migration 004-routing', () => {
  it('is version 4 and creates the routing and projection tables', () => {
    const db = fresh();
    expect(db.pragma('user_version', { simple: true })).toBe(4);
    for (const t of ['routing_runs', 'routing_experts', 'routing_assignments', 'projections', 'projection_points']) expect(count(db, t)).toBeGreaterThan(0);
  });

  it('refuses negative experts and margins, a non-positive base and a short input hash', () => {
    const db = fresh();
    expect(() => db.exec("INSERT INTO routing_assignments VALUES ('r', 1, -1, 0)")).toThrow(/CHECK|PRIMARY/);
    expect(() => db.exec("UPDATE routing_assignments SET margin = -0.1 WHERE item_id = 1")).toThrow(/CHECK/);
    expect(() => db.exec("UPDATE routing_runs SET base_macs = 0")).toThrow(/CHECK/);
    expect(() => db.exec("UPDATE projections SET input_hash = 'abc'")).toThrow(/CHECK/);
  });

  it('deletes assignments with their item, everything routed with the run, projections with the dataset', () => {
    const db = fresh();
    db.exec('DELETE FROM dataset_items WHERE id = 1');
    expect(count(db, 'routing_assignments')).toBe(1);
    expect(count(db, 'projection_points')).toBe(1);
    db.exec("DELETE FROM runs WHERE id = 'r'");
    expect(count(db, 'routing_runs') + count(db, 'routing_experts') + count(db, 'routing_assignments')).toBe(0);
    db.exec("DELETE FROM datasets WHERE id = 'd'");
    expect(count(db, 'projections') + count(db, 'projection_points')).toBe(0);
  });
});
