// Opens the workspace's SQLite file: WAL journal, foreign keys on, a busy timeout, and every
// migration applied. The only place besides repositories/ that touches better-sqlite3.
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { EngineError } from '../core/errors';
import { migrate } from './migrate';
import { migrations } from './migrations';
import { sqliteNativeBinding } from './native-binding';

export type { Database } from 'better-sqlite3';

export function openDatabase(file: string): Database {
  const nativeBinding = sqliteNativeBinding();
  let db: Database;
  try {
    db = new BetterSqlite3(file, nativeBinding ? { nativeBinding } : {});
  } catch (error) {
    throw new EngineError('store-failure', `Cannot open the workspace database ${file}: ${(error as Error).message}. Check that the folder exists and is writable.`, { file }, { cause: error });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    migrate(db, migrations, file);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof EngineError) throw error;
    const message = (error as Error).message;
    throw new EngineError('store-failure', `The workspace database ${file} could not be read (${message}). If it is not an APTP Studio database, choose another workspace folder.`, { file }, { cause: error });
  }
}
