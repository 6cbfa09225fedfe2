// Migration 2: datasets and their manifest. One row per imported folder (format, mapping, limits,
// import generation), one row per item (stable key, file stamps for re-import, content hash,
// caption, size, validation status/problem), and the prepared-cache index (files keyed by input
// hash, model id and resolution, so a model or resolution change invalidates exactly its entries).
import type { Migration } from './migration';

export const datasets: Migration = {
  version: 2,
  name: 'datasets',
  up(db) {
    db.exec(`
      CREATE TABLE datasets (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL CHECK (length(name) > 0),
        root         TEXT NOT NULL UNIQUE,
        format       TEXT NOT NULL,
        options_json TEXT NOT NULL DEFAULT '{}',
        status       TEXT NOT NULL CHECK (status IN ('importing','ready','cancelled','failed')),
        generation   INTEGER NOT NULL DEFAULT 0 CHECK (generation >= 0),
        created_at   TEXT NOT NULL,
        imported_at  TEXT
      );
      CREATE TABLE dataset_items (
        id              INTEGER PRIMARY KEY,
        dataset_id      TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        key             TEXT NOT NULL,
        image_path      TEXT,
        image_mtime_ms  REAL,
        image_bytes     INTEGER CHECK (image_bytes IS NULL OR image_bytes >= 0),
        caption_path    TEXT,
        caption_stamp   TEXT,
        content_hash    TEXT CHECK (content_hash IS NULL OR length(content_hash) = 64),
        caption         TEXT,
        caption_chars   INTEGER,
        repeats         INTEGER NOT NULL DEFAULT 1 CHECK (repeats >= 1),
        image_format    TEXT,
        width           INTEGER,
        height          INTEGER,
        status          TEXT NOT NULL CHECK (status IN ('ok','warning','error')),
        problem         TEXT,
        problem_detail  TEXT,
        duplicate_of    TEXT,
        category        TEXT GENERATED ALWAYS AS (CASE WHEN duplicate_of IS NOT NULL THEN 'duplicate' ELSE coalesce(problem, 'ok') END) VIRTUAL,
        seen_generation INTEGER NOT NULL,
        CHECK ((status = 'ok') = (problem IS NULL)),
        UNIQUE (dataset_id, key)
      );
      CREATE INDEX dataset_items_by_hash ON dataset_items(dataset_id, content_hash);
      CREATE INDEX dataset_items_by_category ON dataset_items(dataset_id, category);
      CREATE TABLE prepared_cache (
        kind        TEXT NOT NULL CHECK (kind IN ('pixels','latent','text-states','prompt-embedding')),
        input_hash  TEXT NOT NULL CHECK (length(input_hash) = 64),
        model_id    TEXT NOT NULL,
        resolution  INTEGER NOT NULL CHECK (resolution >= 0),
        variant     TEXT NOT NULL,
        path        TEXT NOT NULL,
        dtype       TEXT NOT NULL,
        shape_json  TEXT NOT NULL,
        bytes       INTEGER NOT NULL CHECK (bytes >= 0),
        sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
        created_at  TEXT NOT NULL,
        PRIMARY KEY (kind, input_hash, model_id, resolution, variant)
      ) WITHOUT ROWID;
      CREATE INDEX prepared_cache_by_model ON prepared_cache(model_id, resolution);
    `);
  },
};
