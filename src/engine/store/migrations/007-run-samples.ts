// Migration 7: the per-code sample images of pruning runs. One row per (run, training step, code,
// fixed prompt): the prompt and seed it was generated with, and the PNG written under the
// workspace's samples folder (path relative to the workspace, content hash, size). The key makes a
// resumed run that regenerates a step's samples replace its rows, never add to them.
import type { Migration } from './migration';

export const runSamples: Migration = {
  version: 7,
  name: 'run-samples',
  up(db) {
    db.exec(`
      CREATE TABLE run_samples (
        run_id       TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step         INTEGER NOT NULL CHECK (step >= 0),
        code         INTEGER NOT NULL CHECK (code >= 0),
        prompt_index INTEGER NOT NULL CHECK (prompt_index >= 0),
        prompt       TEXT NOT NULL,
        seed         INTEGER NOT NULL,
        path         TEXT NOT NULL CHECK (length(path) > 0),
        sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
        bytes        INTEGER NOT NULL CHECK (bytes > 0),
        created_at   TEXT NOT NULL,
        PRIMARY KEY (run_id, step, code, prompt_index)
      ) WITHOUT ROWID;
    `);
  },
};
