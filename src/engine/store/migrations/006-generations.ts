// Migration 6: the studio keeps what it makes. One row per generated image: the model it came from
// (the folder or single-file path, and how it was opened: prediction type, tokenizer, config
// overrides), the prompt and negative prompt, seed, steps, guidance, sampler, size, the time it took,
// and the PNG in the workspace (path relative to the workspace, byte count, sha256). The PNG carries
// the same settings in its text chunks, so the file alone is enough to make it again.
import type { Migration } from './migration';

export const generations: Migration = {
  version: 6,
  name: 'generations',
  up(db) {
    db.exec(`
      CREATE TABLE generations (
        id              TEXT PRIMARY KEY,
        created_at      TEXT NOT NULL,
        model           TEXT NOT NULL CHECK (length(model) > 0),
        open_options    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(open_options)),
        prompt          TEXT NOT NULL CHECK (length(prompt) > 0),
        negative_prompt TEXT NOT NULL DEFAULT '',
        seed            INTEGER NOT NULL CHECK (seed >= 0),
        steps           INTEGER NOT NULL CHECK (steps >= 1),
        guidance        REAL NOT NULL CHECK (guidance >= 0),
        sampler         TEXT NOT NULL CHECK (length(sampler) > 0),
        width           INTEGER NOT NULL CHECK (width > 0),
        height          INTEGER NOT NULL CHECK (height > 0),
        elapsed_ms      REAL NOT NULL CHECK (elapsed_ms >= 0),
        file            TEXT NOT NULL UNIQUE CHECK (length(file) > 0),
        bytes           INTEGER NOT NULL CHECK (bytes > 0),
        sha256          TEXT NOT NULL CHECK (length(sha256) = 64)
      );
      CREATE INDEX generations_by_time ON generations(created_at DESC, id);
    `);
  },
};
