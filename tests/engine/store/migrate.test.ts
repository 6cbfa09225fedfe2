// The migrator: one transaction, user_version set, newer databases refused, failures roll back.
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { EngineError } from '../../../src/engine/core/errors';
import { migrate, schemaVersion } from '../../../src/engine/store/migrate';
import { openDatabase } from '../../../src/engine/store/database';
import { migrations } from '../../../src/engine/store/migrations';
import type { Migration } from '../../../src/engine/store/migrations/migration';
import { tempDir } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('migrate', () => {
  it('applies every migration to a fresh database and is idempotent', () => {
    const db = new BetterSqlite3(':memory:');
    expect(migrate(db, migrations)).toEqual(migrations.map((m) => m.version));
    expect(schemaVersion(db)).toBe(migrations.length);
    expect(migrate(db, migrations)).toEqual([]);
    db.close();
  });

  it('refuses a database from a newer version with a clear error and leaves it untouched', () => {
    const file = join(tmp.dir, 'future.db');
    const raw = new BetterSqlite3(file);
    raw.pragma(`user_version = ${migrations.length + 5}`);
    raw.close();
    let caught: unknown;
    try {
      openDatabase(file);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EngineError);
    expect((caught as EngineError).code).toBe('store-too-new');
    expect((caught as EngineError).message).toMatch(/newer APTP Studio.*Update APTP Studio/);
    const check = new BetterSqlite3(file);
    expect(schemaVersion(check)).toBe(migrations.length + 5);
    expect(check.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type='table'").get()).toEqual({ n: 0 });
    check.close();
  });

  it('rolls back every pending migration when one fails', () => {
    const db = new BetterSqlite3(':memory:');
    const good: Migration = { version: 1, name: 'good', up: (d) => d.exec('CREATE TABLE a (x INTEGER)') };
    const bad: Migration = { version: 2, name: 'bad', up: (d) => d.exec('CREATE TABLE broken (') };
    expect(() => migrate(db, [good, bad])).toThrow();
    expect(schemaVersion(db)).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name='a'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('rejects a migration list with gaps', () => {
    const db = new BetterSqlite3(':memory:');
    const m: Migration = { version: 2, name: 'skipped-one', up: () => undefined };
    expect(() => migrate(db, [m])).toThrow(/expected 1/);
    db.close();
  });

  it('says what to do when the file is not a database', () => {
    const file = join(tmp.dir, 'garbage.db');
    writeFileSync(file, 'this is not sqlite'.repeat(100));
    expect(() => openDatabase(file)).toThrow(/could not be read.*choose another workspace/);
  });

  it('opens in WAL mode with foreign keys on', () => {
    const db = openDatabase(join(tmp.dir, 'wal.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });
});
