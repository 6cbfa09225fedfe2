// Datasets and their manifest rows: one dataset per picked folder (re-importing the same folder
// updates it, bumping its generation), items written in batches inside transactions, unchanged
// items only re-stamped, items no longer present removed, and duplicates (same content hash, a
// different file) marked after each import.
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';

export type DatasetStatus = 'importing' | 'ready' | 'cancelled' | 'failed';

export interface DatasetRecord {
  readonly id: string;
  readonly name: string;
  readonly root: string;
  readonly format: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly status: DatasetStatus;
  readonly generation: number;
  readonly createdAt: string;
  readonly importedAt: string | null;
}

interface DatasetRow {
  id: string; name: string; root: string; format: string; options_json: string; status: DatasetStatus; generation: number; created_at: string; imported_at: string | null;
}

const fromRow = (r: DatasetRow): DatasetRecord => ({
  id: r.id, name: r.name, root: r.root, format: r.format, options: JSON.parse(r.options_json), status: r.status,
  generation: r.generation, createdAt: r.created_at, importedAt: r.imported_at,
});

/** What re-import compares: the stamps and hash recorded for an item key. */
export interface ItemStamps {
  readonly id: number;
  readonly imagePath: string | null;
  readonly imageMtimeMs: number | null;
  readonly imageBytes: number | null;
  readonly captionStamp: string | null;
  readonly contentHash: string | null;
}

/** One manifest row as the importer writes it. */
export interface ItemWrite {
  readonly key: string;
  readonly imagePath: string | null;
  readonly imageMtimeMs: number | null;
  readonly imageBytes: number | null;
  readonly captionPath: string | null;
  readonly captionStamp: string | null;
  readonly contentHash: string | null;
  readonly caption: string | null;
  readonly repeats: number;
  readonly imageFormat: string | null;
  readonly width: number | null;
  readonly height: number | null;
  readonly status: 'ok' | 'warning' | 'error';
  readonly problem: string | null;
  readonly problemDetail: string | null;
}

export class DatasetRepository {
  readonly #upsertItem;
  readonly #touch;
  readonly #stamps;

  constructor(private readonly db: Database) {
    this.#upsertItem = db.prepare(`
      INSERT INTO dataset_items (dataset_id, key, image_path, image_mtime_ms, image_bytes, caption_path, caption_stamp, content_hash,
        caption, caption_chars, repeats, image_format, width, height, status, problem, problem_detail, seen_generation)
      VALUES (@datasetId, @key, @imagePath, @imageMtimeMs, @imageBytes, @captionPath, @captionStamp, @contentHash,
        @caption, @captionChars, @repeats, @imageFormat, @width, @height, @status, @problem, @problemDetail, @generation)
      ON CONFLICT (dataset_id, key) DO UPDATE SET image_path = excluded.image_path, image_mtime_ms = excluded.image_mtime_ms,
        image_bytes = excluded.image_bytes, caption_path = excluded.caption_path, caption_stamp = excluded.caption_stamp,
        content_hash = excluded.content_hash, caption = excluded.caption, caption_chars = excluded.caption_chars,
        repeats = excluded.repeats, image_format = excluded.image_format, width = excluded.width, height = excluded.height,
        status = excluded.status, problem = excluded.problem, problem_detail = excluded.problem_detail,
        seen_generation = excluded.seen_generation`);
    this.#touch = db.prepare('UPDATE dataset_items SET seen_generation = ?, image_mtime_ms = coalesce(?, image_mtime_ms), image_bytes = coalesce(?, image_bytes), caption_stamp = coalesce(?, caption_stamp) WHERE id = ?');
    this.#stamps = db.prepare(
      'SELECT id, image_path AS imagePath, image_mtime_ms AS imageMtimeMs, image_bytes AS imageBytes, caption_stamp AS captionStamp, content_hash AS contentHash FROM dataset_items WHERE dataset_id = ? AND key = ?',
    );
  }

  /** Starts an import of `root`: creates the dataset, or bumps the existing one's generation. */
  beginImport(root: string, name: string, format: string, options: Record<string, unknown>): DatasetRecord {
    const existing = this.byRoot(root);
    if (existing) {
      this.db
        .prepare("UPDATE datasets SET format = ?, options_json = ?, status = 'importing', generation = generation + 1 WHERE id = ?")
        .run(format, JSON.stringify(options), existing.id);
      return this.get(existing.id)!;
    }
    const id = randomUUID();
    this.db
      .prepare("INSERT INTO datasets (id, name, root, format, options_json, status, generation, created_at) VALUES (?, ?, ?, ?, ?, 'importing', 1, ?)")
      .run(id, name, root, format, JSON.stringify(options), new Date().toISOString());
    return this.get(id)!;
  }

  finishImport(id: string, status: Exclude<DatasetStatus, 'importing'>): void {
    this.db.prepare('UPDATE datasets SET status = ?, imported_at = ? WHERE id = ?').run(status, new Date().toISOString(), id);
  }

  get(id: string): DatasetRecord | undefined {
    const row = this.db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined;
    return row && fromRow(row);
  }

  byRoot(root: string): DatasetRecord | undefined {
    const row = this.db.prepare('SELECT * FROM datasets WHERE root = ?').get(root) as DatasetRow | undefined;
    return row && fromRow(row);
  }

  list(): DatasetRecord[] {
    return (this.db.prepare('SELECT * FROM datasets ORDER BY created_at, id').all() as DatasetRow[]).map(fromRow);
  }

  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM datasets WHERE id = ?').run(id).changes > 0;
  }

  stamps(datasetId: string, key: string): ItemStamps | undefined {
    return this.#stamps.get(datasetId, key) as ItemStamps | undefined;
  }

  /** Writes a batch of items and re-stamps a batch of unchanged ones, in one transaction. */
  writeBatch(datasetId: string, generation: number, items: readonly ItemWrite[], touched: readonly { id: number; mtimeMs?: number; bytes?: number; captionStamp?: string }[]): void {
    this.db.transaction(() => {
      for (const item of items) {
        this.#upsertItem.run({ ...item, datasetId, generation, captionChars: item.caption === null ? null : [...item.caption].length });
      }
      for (const t of touched) this.#touch.run(generation, t.mtimeMs ?? null, t.bytes ?? null, t.captionStamp ?? null, t.id);
    })();
  }

  /** Removes the items an import of `generation` did not see (files deleted since the last import). */
  removeUnseen(datasetId: string, generation: number): number {
    return this.db.prepare('DELETE FROM dataset_items WHERE dataset_id = ? AND seen_generation < ?').run(datasetId, generation).changes;
  }

  /** Marks every usable image whose content equals an earlier file's (by path) as its duplicate. */
  markDuplicates(datasetId: string): number {
    return this.db.transaction(() => {
      this.db.prepare('UPDATE dataset_items SET duplicate_of = NULL WHERE dataset_id = ? AND duplicate_of IS NOT NULL').run(datasetId);
      return this.db
        .prepare(`
          WITH firsts AS (
            SELECT content_hash, min(image_path) AS first FROM dataset_items
            WHERE dataset_id = @id AND content_hash IS NOT NULL AND status != 'error' GROUP BY content_hash HAVING count(DISTINCT image_path) > 1)
          UPDATE dataset_items SET duplicate_of = (SELECT first FROM firsts WHERE firsts.content_hash = dataset_items.content_hash)
          WHERE dataset_id = @id AND status != 'error' AND content_hash IN (SELECT content_hash FROM firsts)
            AND image_path != (SELECT first FROM firsts WHERE firsts.content_hash = dataset_items.content_hash)`)
        .run({ id: datasetId }).changes;
    })();
  }
}
