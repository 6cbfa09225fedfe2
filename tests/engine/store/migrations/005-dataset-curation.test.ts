// Migration 5 adds item exclusion and caption token counts (existing rows: included, no count),
// the datasets' dropped-file counts (existing rows: none), and the (dataset, id) index that keyset
// pages walk instead of sorting.
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../../../src/engine/store/migrations';
import { migrate } from '../../../../src/engine/store/migrate';

function migratedFrom4() {
  const db = new BetterSqlite3(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations.slice(0, 4));
  db.exec(`
    INSERT INTO datasets (id, name, root, format, status, created_at) VALUES ('d', 'd', '/d', 'prompts', 'ready', 'now');
    INSERT INTO dataset_items (id, dataset_id, key, caption, status, seen_generation) VALUES (1, 'd', 'line:1', 'a fox', 'ok', 1);
  `);
  migrate(db, migrations.slice(0, 5));
  return db;
}

describe('migration 005-dataset-curation', () => {
  it('is version 5 and gives existing rows the neutral values', () => {
    const db = migratedFrom4();
    expect(db.pragma('user_version', { simple: true })).toBe(5);
    expect(db.prepare('SELECT excluded_at, caption_tokens, caption_tokens_exact FROM dataset_items').get()).toEqual({ excluded_at: null, caption_tokens: null, caption_tokens_exact: 0 });
    expect(db.prepare('SELECT dropped_json FROM datasets').get()).toEqual({ dropped_json: '{}' });
  });

  it('refuses negative token counts and a non-boolean exactness', () => {
    const db = migratedFrom4();
    expect(() => db.exec('UPDATE dataset_items SET caption_tokens = -1')).toThrow(/CHECK/);
    expect(() => db.exec('UPDATE dataset_items SET caption_tokens_exact = 2')).toThrow(/CHECK/);
  });

  it('pages one dataset by id through its index, without a sort', () => {
    const db = migratedFrom4();
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT id FROM dataset_items WHERE dataset_id = ? AND id > ? AND status != 'error' ORDER BY id LIMIT 10").all('d', 0) as { detail: string }[];
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING INDEX dataset_items_by_dataset/);
    expect(plan.map((p) => p.detail).join('\n')).not.toMatch(/TEMP B-TREE/);
  });
});
