// Migration 6 adds the generations table: one row per generated image, guarded by CHECKs against
// impossible values (no prompt, seed below 0, zero steps or size, a bad hash, invalid options JSON),
// each file recorded once. Through the repository: newest first, count, get, delete.
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../../../src/engine/store/migrations';
import { migrate } from '../../../../src/engine/store/migrate';
import { GenerationRepository, type GenerationRow } from '../../../../src/engine/store/repositories/generations';

const row = (id: string, createdAt: string, over: Partial<GenerationRow> = {}): GenerationRow => ({
  id, createdAt, model: '/m', options: { predictionType: 'epsilon' }, prompt: 'a fox', negativePrompt: '', seed: 1, steps: 2, guidance: 7.5, sampler: 'ddim',
  width: 64, height: 64, elapsedMs: 10, file: `samples/generations/${id}.png`, bytes: 100, sha256: 'a'.repeat(64), ...over,
});

function fresh(): BetterSqlite3.Database {
  const db = new BetterSqlite3(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations.slice(0, 6));
  return db;
}

describe('migration 006-generations', () => {
  it('is version 6 and keeps generations newest first', () => {
    const db = fresh();
    expect(db.pragma('user_version', { simple: true })).toBe(6);
    const repo = new GenerationRepository(db);
    repo.add(row('a', '2026-01-01T00:00:00.000Z'));
    repo.add(row('b', '2026-01-02T00:00:00.000Z', { negativePrompt: 'blur' }));
    expect(repo.list(10).map((g) => g.id)).toEqual(['b', 'a']);
    expect(repo.list(1, 1).map((g) => g.id)).toEqual(['a']);
    expect(repo.count()).toBe(2);
    expect(repo.get('b')).toEqual(row('b', '2026-01-02T00:00:00.000Z', { negativePrompt: 'blur' }));
    expect(repo.delete('a')).toBe(true);
    expect(repo.delete('a')).toBe(false);
    expect(repo.get('a')).toBeUndefined();
  });

  it('refuses impossible rows and a file recorded twice', () => {
    const repo = new GenerationRepository(fresh());
    repo.add(row('a', 'now'));
    for (const bad of [{ prompt: '' }, { seed: -1 }, { steps: 0 }, { width: 0 }, { height: 0 }, { sha256: 'abc' }, { bytes: 0 }, { elapsedMs: -1 }, { model: '' }, { file: 'samples/generations/a.png' }]) {
      expect(() => repo.add(row(`x${JSON.stringify(bad)}`, 'now', bad)), JSON.stringify(bad)).toThrow(/CHECK|UNIQUE/);
    }
  });
});
