// Migration 1: the first tables: projects, runs, metric series (one row per run/metric/step, so a
// resumed run overwrites rather than duplicates), and artifacts (files referenced by path and hash).
import type { Migration } from './migration';

export const initial: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE projects (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL CHECK (length(name) > 0),
        created_at  TEXT NOT NULL,
        config_json TEXT NOT NULL DEFAULT '{}'
      );
      CREATE TABLE runs (
        id          TEXT PRIMARY KEY,
        project_id  TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        kind        TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('pending','running','paused','completed','failed','cancelled')),
        config_json TEXT NOT NULL DEFAULT '{}',
        created_at  TEXT NOT NULL,
        started_at  TEXT,
        finished_at TEXT,
        error_json  TEXT
      );
      CREATE INDEX runs_by_project ON runs(project_id, created_at);
      CREATE TABLE metric_series (
        run_id    TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name      TEXT NOT NULL,
        step      INTEGER NOT NULL CHECK (step >= 0),
        value     REAL NOT NULL,
        wall_time REAL NOT NULL,
        PRIMARY KEY (run_id, name, step)
      ) WITHOUT ROWID;
      CREATE TABLE artifacts (
        id         TEXT PRIMARY KEY,
        project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        run_id     TEXT REFERENCES runs(id) ON DELETE SET NULL,
        kind       TEXT NOT NULL,
        path       TEXT NOT NULL,
        sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
        bytes      INTEGER NOT NULL CHECK (bytes >= 0),
        created_at TEXT NOT NULL
      );
      CREATE INDEX artifacts_by_run ON artifacts(run_id);
    `);
  },
};
