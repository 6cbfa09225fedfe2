// Migration 5: datasets the user curates. An item can be excluded (excluded_at: when, NULL while
// included; kept in the manifest, left out of preparation, training and export, and kept across
// re-imports); a caption's token count is recorded (a lower bound from the CLIP pre-tokenizer at
// import, the exact count once Prepare has run the model's tokenizer) so captions over the text encoder's window are flagged; a dataset
// records what its format dropped on import (images no metadata row names, orphan captions); and
// an index on (dataset, id) lets keyset pages over one dataset walk the index in order instead of
// sorting the whole dataset for every page.
import type { Migration } from './migration';

export const datasetCuration: Migration = {
  version: 5,
  name: 'dataset-curation',
  up(db) {
    db.exec(`
      ALTER TABLE dataset_items ADD COLUMN excluded_at TEXT;
      ALTER TABLE dataset_items ADD COLUMN caption_tokens INTEGER CHECK (caption_tokens IS NULL OR caption_tokens >= 0);
      ALTER TABLE dataset_items ADD COLUMN caption_tokens_exact INTEGER NOT NULL DEFAULT 0 CHECK (caption_tokens_exact IN (0, 1));
      ALTER TABLE datasets ADD COLUMN dropped_json TEXT NOT NULL DEFAULT '{}';
      CREATE INDEX dataset_items_by_dataset ON dataset_items(dataset_id, id);
    `);
  },
};
