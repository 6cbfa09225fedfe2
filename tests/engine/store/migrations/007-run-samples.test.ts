// Migration 7 adds run_samples: one row per (run, step, code, prompt), deleted with its run, guarded
// by CHECKs; the repository's rewrite of a step replaces rows instead of adding any.
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../../../src/engine/store/migrations';
import { migrate } from '../../../../src/engine/store/migrate';
import { SampleRepository, type RunSample } from '../../../../src/engine/store/repositories/samples';

function fresh() {
  const db = new BetterSqlite3(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations.slice(0, 7));
  db.exec(`
    INSERT INTO projects (id, name, created_at) VALUES ('p', 'p', 'now');
    INSERT INTO runs (id, project_id, kind, status, created_at) VALUES ('r', 'p', 'prune', 'running', 'now');
  `);
  return db;
}

const sample = (step: number, code: number, sha = 'a'): RunSample => ({ step, code, promptIndex: 0, prompt: 'a fox', seed: 3, path: `samples/r/step-${step}/code-${code}-prompt-0.png`, sha256: sha.repeat(64), bytes: 10 });

describe('migration 007-run-samples', () => {
  it('is version 7; a rewrite replaces; rows go with their run', () => {
    const db = fresh();
    expect(db.pragma('user_version', { simple: true })).toBe(7);
    const repo = new SampleRepository(db);
    repo.write('r', [sample(2, 0), sample(2, 1)]);
    repo.write('r', [sample(2, 1, 'b')]);
    expect(repo.list('r').map((s) => [s.step, s.code, s.sha256[0]])).toEqual([[2, 0, 'a'], [2, 1, 'b']]);
    expect(repo.byPath('r', 'samples/r/step-2/code-1-prompt-0.png')?.code).toBe(1);
    db.exec("DELETE FROM runs WHERE id = 'r'");
    expect(repo.list('r')).toEqual([]);
  });

  it('refuses negative steps and codes, an empty path and a short hash', () => {
    const db = fresh();
    const repo = new SampleRepository(db);
    expect(() => repo.write('r', [{ ...sample(-1, 0) }])).toThrow(/CHECK/);
    expect(() => repo.write('r', [{ ...sample(1, -1) }])).toThrow(/CHECK/);
    expect(() => repo.write('r', [{ ...sample(1, 0), path: '' }])).toThrow(/CHECK/);
    expect(() => repo.write('r', [{ ...sample(1, 0), sha256: 'abc' }])).toThrow(/CHECK/);
    expect(() => repo.write('missing', [sample(1, 0)])).toThrow(/FOREIGN KEY/);
  });
});
