// Migration 2 adds datasets, dataset_items (with the derived category) and the prepared-cache index.
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { initial } from '../../../../src/engine/store/migrations/001-initial';
import { datasets } from '../../../../src/engine/store/migrations/002-datasets';
import { migrate } from '../../../../src/engine/store/migrate';

const HASH = 'a'.repeat(64);

function freshAt2() {
  const db = new BetterSqlite3(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, [initial, datasets]);
  db.prepare("INSERT INTO datasets (id, name, root, format, status, created_at) VALUES ('d', 'cats', '/data/cats', 'image-folder', 'ready', 'now')").run();
  return db;
}

const insertItem = (db: BetterSqlite3.Database, key: string, status: string, problem: string | null, duplicateOf: string | null = null) =>
  db
    .prepare('INSERT INTO dataset_items (dataset_id, key, status, problem, duplicate_of, content_hash, seen_generation) VALUES (?, ?, ?, ?, ?, ?, 1)')
    .run('d', key, status, problem, duplicateOf, HASH);

describe('migration 002-datasets', () => {
  it('applies on top of migration 1 and creates the three tables', () => {
    const db = freshAt2();
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(expect.arrayContaining(['dataset_items', 'datasets', 'prepared_cache']));
    db.close();
  });

  it('keys items by dataset and key, and deletes them with their dataset', () => {
    const db = freshAt2();
    insertItem(db, 'a.jpg', 'ok', null);
    expect(() => insertItem(db, 'a.jpg', 'ok', null)).toThrow(/UNIQUE/);
    db.prepare("DELETE FROM datasets WHERE id = 'd'").run();
    expect(db.prepare('SELECT count(*) AS n FROM dataset_items').get()).toEqual({ n: 0 });
    db.close();
  });

  it('requires a problem exactly when the status is not ok, and derives the category', () => {
    const db = freshAt2();
    expect(() => insertItem(db, 'x', 'ok', 'corrupt')).toThrow(/CHECK/);
    expect(() => insertItem(db, 'y', 'error', null)).toThrow(/CHECK/);
    insertItem(db, 'a', 'ok', null);
    insertItem(db, 'b', 'error', 'corrupt');
    insertItem(db, 'c', 'ok', null, 'a');
    const rows = db.prepare("SELECT key, category FROM dataset_items WHERE dataset_id = 'd' ORDER BY key").all();
    expect(rows).toEqual([{ key: 'a', category: 'ok' }, { key: 'b', category: 'corrupt' }, { key: 'c', category: 'duplicate' }]);
    db.close();
  });

  it('keys the prepared cache by kind, input hash, model, resolution and variant', () => {
    const db = freshAt2();
    const add = db.prepare("INSERT INTO prepared_cache VALUES ('latent', ?, ?, ?, 'center', 'p', 'float32', '[4,64,64]', 1, ?, 'now')");
    add.run(HASH, 'vae-1', 512, HASH);
    add.run(HASH, 'vae-2', 512, HASH);
    add.run(HASH, 'vae-1', 768, HASH);
    expect(() => add.run(HASH, 'vae-1', 512, HASH)).toThrow(/UNIQUE|PRIMARY/);
    expect(() => db.prepare("INSERT INTO prepared_cache VALUES ('bogus', ?, '', 0, '', 'p', 'uint8', '[]', 1, ?, 'now')").run(HASH, HASH)).toThrow(/CHECK/);
    db.close();
  });
});
