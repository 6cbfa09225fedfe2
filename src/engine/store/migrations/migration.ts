// The shape of one numbered schema migration. Each migration lives in its own file and is listed once
// in migrations/index.ts; `up` runs inside the migrator's transaction and must not commit itself.
import type { Database } from 'better-sqlite3';

export interface Migration {
  /** 1, 2, 3...: equals the `user_version` the database has after this migration. */
  readonly version: number;
  readonly name: string;
  up(db: Database): void;
}
