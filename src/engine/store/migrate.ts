// Applies pending migrations in ONE transaction and sets `user_version` to the newest. A database
// written by a newer studio (user_version beyond what we know) is refused, never touched. Foreign
// keys are off while migrations run (SQLite's table-rebuild procedure: dropping a parent table must
// not cascade) and checked before the transaction commits.
import type { Database } from 'better-sqlite3';
import { EngineError } from '../core/errors';
import type { Migration } from './migrations/migration';

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function checkMigrationList(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new EngineError('store-failure', `migration '${m.name}' has version ${m.version}, expected ${i + 1}`, {
        migration: m.name,
      });
    }
  });
}

/** Brings `db` to the newest schema; returns the versions applied (empty when already current). */
export function migrate(db: Database, list: readonly Migration[], file = db.name): number[] {
  checkMigrationList(list);
  const current = schemaVersion(db);
  const newest = list.length;
  if (current > newest) {
    throw new EngineError(
      'store-too-new',
      `The workspace database ${file} was written by a newer APTP Studio (schema ${current}; this version knows up to ${newest}). Update APTP Studio, or open a different workspace.`,
      { file, schemaVersion: current, supportedVersion: newest },
    );
  }
  const pending = list.slice(current);
  if (pending.length === 0) return [];
  const apply = db.transaction(() => {
    for (const m of pending) m.up(db);
    const broken = db.pragma('foreign_key_check') as unknown[];
    if (broken.length > 0) {
      throw new EngineError('store-failure', `Migrating ${file} would break ${broken.length} foreign key(s); the database was left as it was. Report this with the file.`, { file, broken: broken.slice(0, 5) });
    }
    db.pragma(`user_version = ${newest}`);
  });
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    apply();
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
  return pending.map((m) => m.version);
}
