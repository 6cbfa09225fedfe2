// Migration 4: what the Routing view reads. A routed run's header (its dataset, the prompt-embedding
// encoder it routed with, the base UNet's MACs), its experts (MACs and the kept architecture per
// block), one assignment per run and dataset item (expert and routing margin: the assigned code's
// score minus the runner-up's), and cached 2-D projections of a dataset's prompt embeddings keyed by
// (dataset, encoder, parameters) with a hash of their inputs, so a re-import or re-preparation that
// changes the embeddings is never served a stale map.
import type { Migration } from './migration';

export const routing: Migration = {
  version: 4,
  name: 'routing',
  up(db) {
    db.exec(`
      CREATE TABLE routing_runs (
        run_id     TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        encoder    TEXT NOT NULL CHECK (length(encoder) > 0),
        base_macs  REAL NOT NULL CHECK (base_macs > 0),
        updated_at TEXT NOT NULL
      );
      CREATE TABLE routing_experts (
        run_id    TEXT NOT NULL REFERENCES routing_runs(run_id) ON DELETE CASCADE,
        expert    INTEGER NOT NULL CHECK (expert >= 0),
        macs      REAL NOT NULL CHECK (macs >= 0),
        arch_json TEXT NOT NULL,
        PRIMARY KEY (run_id, expert)
      ) WITHOUT ROWID;
      CREATE TABLE routing_assignments (
        run_id  TEXT NOT NULL REFERENCES routing_runs(run_id) ON DELETE CASCADE,
        item_id INTEGER NOT NULL REFERENCES dataset_items(id) ON DELETE CASCADE,
        expert  INTEGER NOT NULL CHECK (expert >= 0),
        margin  REAL NOT NULL CHECK (margin >= 0),
        PRIMARY KEY (run_id, item_id)
      ) WITHOUT ROWID;
      CREATE INDEX routing_assignments_by_expert ON routing_assignments(run_id, expert, margin DESC);
      CREATE TABLE projections (
        id          TEXT PRIMARY KEY,
        dataset_id  TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        encoder     TEXT NOT NULL,
        params_json TEXT NOT NULL,
        input_hash  TEXT NOT NULL CHECK (length(input_hash) = 64),
        points      INTEGER NOT NULL CHECK (points >= 0),
        created_at  TEXT NOT NULL,
        UNIQUE (dataset_id, encoder, params_json)
      );
      CREATE TABLE projection_points (
        projection_id TEXT NOT NULL REFERENCES projections(id) ON DELETE CASCADE,
        item_id       INTEGER NOT NULL REFERENCES dataset_items(id) ON DELETE CASCADE,
        x             REAL NOT NULL,
        y             REAL NOT NULL,
        PRIMARY KEY (projection_id, item_id)
      ) WITHOUT ROWID;
    `);
  },
};
