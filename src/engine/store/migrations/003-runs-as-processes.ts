// Migration 3: runs become processes. A run may belong to no project (a dataset import); it records
// its worker's pid and heartbeat, its progress, a control request a remote writes and the worker
// polls (pause, cancel), its result and last checkpoint state, and the resource it writes
// exclusively: a partial unique index allows one active run per resource (one writer per dataset).
// SQLite cannot change a CHECK in place, so the table is rebuilt (the migrator turns foreign keys
// off around migrations, so metric series and artifacts keep their rows).
import type { Migration } from './migration';

export const RUN_STATUSES = ['pending', 'running', 'pausing', 'paused', 'cancelling', 'cancelled', 'interrupted', 'completed', 'failed'] as const;
/** Statuses of a run that has (or is about to have) a worker: at most one per resource. */
export const ACTIVE_RUN_STATUSES = ['pending', 'running', 'pausing', 'cancelling'] as const;

const quoted = (list: readonly string[]): string => list.map((s) => `'${s}'`).join(',');

export const runsAsProcesses: Migration = {
  version: 3,
  name: 'runs-as-processes',
  up(db) {
    db.exec(`
      CREATE TABLE runs_v3 (
        id              TEXT PRIMARY KEY,
        project_id      TEXT REFERENCES projects(id) ON DELETE CASCADE,
        kind            TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN (${quoted(RUN_STATUSES)})),
        config_json     TEXT NOT NULL DEFAULT '{}',
        created_at      TEXT NOT NULL,
        started_at      TEXT,
        finished_at     TEXT,
        error_json      TEXT,
        resource        TEXT,
        pid             INTEGER,
        heartbeat_at    REAL,
        progress_done   INTEGER NOT NULL DEFAULT 0 CHECK (progress_done >= 0),
        progress_total  INTEGER NOT NULL DEFAULT 0 CHECK (progress_total >= 0),
        progress_detail TEXT NOT NULL DEFAULT '',
        requested       TEXT CHECK (requested IN ('pause','cancel')),
        result_json     TEXT,
        checkpoint_json TEXT,
        attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        updated_at      REAL NOT NULL DEFAULT 0
      );
      INSERT INTO runs_v3 (id, project_id, kind, status, config_json, created_at, started_at, finished_at, error_json)
        SELECT id, project_id, kind, status, config_json, created_at, started_at, finished_at, error_json FROM runs;
      DROP TABLE runs;
      ALTER TABLE runs_v3 RENAME TO runs;
      CREATE INDEX runs_by_project ON runs(project_id, created_at);
      CREATE INDEX runs_by_created ON runs(created_at);
      CREATE UNIQUE INDEX runs_one_writer ON runs(resource) WHERE resource IS NOT NULL AND status IN (${quoted(ACTIVE_RUN_STATUSES)});
    `);
  },
};
