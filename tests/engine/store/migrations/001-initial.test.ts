// Migration 1 creates projects, runs, metric_series and artifacts with their constraints.
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { initial } from '../../../../src/engine/store/migrations/001-initial';
import { migrate } from '../../../../src/engine/store/migrate';

function freshAt1() {
  const db = new BetterSqlite3(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, [initial]);
  return db;
}

describe('migration 001-initial', () => {
  it('creates the four tables', () => {
    const db = freshAt1();
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(['artifacts', 'metric_series', 'projects', 'runs']);
    db.close();
  });

  it('enforces run status values and project references', () => {
    const db = freshAt1();
    db.prepare("INSERT INTO projects VALUES ('p', 'demo', '2026-01-01', '{}')").run();
    expect(() => db.prepare("INSERT INTO runs (id, project_id, kind, status, created_at) VALUES ('r', 'p', 'prune', 'bogus', 'now')").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO runs (id, project_id, kind, status, created_at) VALUES ('r', 'nope', 'prune', 'pending', 'now')").run()).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('keys metric series by run, name and step', () => {
    const db = freshAt1();
    db.prepare("INSERT INTO projects VALUES ('p', 'demo', '2026-01-01', '{}')").run();
    db.prepare("INSERT INTO runs (id, project_id, kind, status, created_at) VALUES ('r', 'p', 'prune', 'pending', 'now')").run();
    const insert = db.prepare("INSERT INTO metric_series VALUES ('r', 'loss', ?, ?, 0)");
    insert.run(0, 1.5);
    expect(() => insert.run(0, 2.5)).toThrow(/UNIQUE|PRIMARY/);
    db.prepare("DELETE FROM projects WHERE id = 'p'").run();
    expect(db.prepare('SELECT count(*) AS n FROM metric_series').get()).toEqual({ n: 0 });
    db.close();
  });

  it('requires a full sha256 for artifacts', () => {
    const db = freshAt1();
    db.prepare("INSERT INTO projects VALUES ('p', 'demo', '2026-01-01', '{}')").run();
    expect(() => db.prepare("INSERT INTO artifacts VALUES ('a', 'p', NULL, 'bundle', '/x', 'abc', 1, 'now')").run()).toThrow(/CHECK/);
    db.close();
  });
});
