// Datasets and their manifest rows: one dataset per picked folder (re-importing the same folder
// updates it, bumping its generation), items written in batches inside transactions, unchanged
// items only re-stamped, items no longer present removed, and duplicates (same content hash, a
// different file) marked after each import, the first-seen file being the original.
// Datasets are found by id, unambiguous id prefix, name or folder,
// renamed, and removed (with their items; caches are the data layer's, see delete-dataset.ts).
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
  /** What the format left out on the last import, by reason (images no metadata row names, orphan captions). */
  readonly dropped: Readonly<Record<string, number>>;
}

interface DatasetRow {
  id: string; name: string; root: string; format: string; options_json: string; status: DatasetStatus; generation: number; created_at: string; imported_at: string | null;
  dropped_json: string;
}

const fromRow = (r: DatasetRow): DatasetRecord => ({
  id: r.id, name: r.name, root: r.root, format: r.format, options: JSON.parse(r.options_json), status: r.status,
  generation: r.generation, createdAt: r.created_at, importedAt: r.imported_at, dropped: JSON.parse(r.dropped_json),
});

/** How a reference named datasets: exactly one, or none / several (with the candidates). */
export type DatasetMatch =
  | { readonly kind: 'one'; readonly dataset: DatasetRecord }
  | { readonly kind: 'none'; readonly known: readonly DatasetRecord[] }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly DatasetRecord[] };

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
  /** Tokens of the caption without bos/eos: a lower bound at import (see clipTokenLowerBound). */
  readonly captionTokens: number | null;
}

export class DatasetRepository {
  readonly #upsertItem;
  readonly #touch;
  readonly #stamps;

  constructor(private readonly db: Database) {
    this.#upsertItem = db.prepare(`
      INSERT INTO dataset_items (dataset_id, key, image_path, image_mtime_ms, image_bytes, caption_path, caption_stamp, content_hash,
        caption, caption_chars, repeats, image_format, width, height, status, problem, problem_detail, seen_generation, caption_tokens)
      VALUES (@datasetId, @key, @imagePath, @imageMtimeMs, @imageBytes, @captionPath, @captionStamp, @contentHash,
        @caption, @captionChars, @repeats, @imageFormat, @width, @height, @status, @problem, @problemDetail, @generation, @captionTokens)
      ON CONFLICT (dataset_id, key) DO UPDATE SET image_path = excluded.image_path, image_mtime_ms = excluded.image_mtime_ms,
        image_bytes = excluded.image_bytes, caption_path = excluded.caption_path, caption_stamp = excluded.caption_stamp,
        content_hash = excluded.content_hash, caption = excluded.caption, caption_chars = excluded.caption_chars,
        repeats = excluded.repeats, image_format = excluded.image_format, width = excluded.width, height = excluded.height,
        status = excluded.status, problem = excluded.problem, problem_detail = excluded.problem_detail,
        seen_generation = excluded.seen_generation,
        caption_tokens = CASE WHEN caption IS excluded.caption AND caption_tokens_exact = 1 THEN caption_tokens ELSE excluded.caption_tokens END,
        caption_tokens_exact = CASE WHEN caption IS excluded.caption THEN caption_tokens_exact ELSE 0 END`);
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

  finishImport(id: string, status: Exclude<DatasetStatus, 'importing'>, dropped?: Readonly<Record<string, number>>): void {
    this.db.prepare('UPDATE datasets SET status = ?, imported_at = ?, dropped_json = coalesce(?, dropped_json) WHERE id = ?')
      .run(status, new Date().toISOString(), dropped ? JSON.stringify(dropped) : null, id);
  }

  rename(id: string, name: string): boolean {
    return this.db.prepare('UPDATE datasets SET name = ? WHERE id = ?').run(name, id).changes > 0;
  }

  /**
   * The dataset `ref` names: its full id, its folder (or prompts file), its name, or the first
   * characters of its id (a prefix naming several datasets is ambiguous, never a guess).
   */
  match(ref: string, root?: string): DatasetMatch {
    const all = this.list();
    const exact = all.find((d) => d.id === ref) ?? (root !== undefined ? all.find((d) => d.root === root) : undefined);
    if (exact) return { kind: 'one', dataset: exact };
    const named = all.filter((d) => d.name === ref);
    const byPrefix = ref.length > 0 ? all.filter((d) => d.id.startsWith(ref.toLowerCase())) : [];
    const found = named.length > 0 ? named : byPrefix;
    if (found.length === 1) return { kind: 'one', dataset: found[0]! };
    return found.length === 0 ? { kind: 'none', known: all } : { kind: 'ambiguous', candidates: found };
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

  /** Excludes (or includes again) items of a dataset; ids not in it are ignored. Returns how many changed. */
  setExcluded(datasetId: string, ids: readonly number[], excluded: boolean): number {
    const stmt = excluded
      ? this.db.prepare('UPDATE dataset_items SET excluded_at = ? WHERE dataset_id = ? AND id = ? AND excluded_at IS NULL')
      : this.db.prepare('UPDATE dataset_items SET excluded_at = NULL WHERE dataset_id = ? AND id = ? AND excluded_at IS NOT NULL');
    const now = new Date().toISOString();
    return this.db.transaction(() => ids.reduce((n, id) => n + (excluded ? stmt.run(now, datasetId, id) : stmt.run(datasetId, id)).changes, 0))();
  }

  /** Records exact caption token counts (the model's tokenizer, without bos/eos), in one transaction. */
  recordCaptionTokens(datasetId: string, counts: readonly { id: number; tokens: number }[]): void {
    const stmt = this.db.prepare('UPDATE dataset_items SET caption_tokens = ?, caption_tokens_exact = 1 WHERE dataset_id = ? AND id = ?');
    this.db.transaction(() => {
      for (const c of counts) stmt.run(c.tokens, datasetId, c.id);
    })();
  }

  /** Item ids by key, for the keys the dataset has. */
  idsOfKeys(datasetId: string, keys: readonly string[]): Map<string, number> {
    const stmt = this.db.prepare('SELECT id FROM dataset_items WHERE dataset_id = ? AND key = ?');
    const out = new Map<string, number>();
    for (const key of keys) {
      const row = stmt.get(datasetId, key) as { id: number } | undefined;
      if (row) out.set(key, row.id);
    }
    return out;
  }

  /** The distinct image paths (relative to the root) of a dataset's items. */
  imagePaths(datasetId: string): Set<string> {
    const rows = this.db.prepare('SELECT DISTINCT image_path AS p FROM dataset_items WHERE dataset_id = ? AND image_path IS NOT NULL').all(datasetId) as { p: string }[];
    return new Set(rows.map((r) => r.p));
  }

  /**
   * What only this dataset uses: content hashes and caption texts no other dataset's items share
   * (the keys of the thumbnails and prepared-cache entries that can go with it).
   */
  exclusiveInputs(datasetId: string): { contentHashes: string[]; captions: string[] } {
    // EXCEPT sorts each side once (no index on captions, so never a scan per row).
    const only = (column: string): string[] => (this.db
      .prepare(`SELECT ${column} AS v FROM dataset_items WHERE dataset_id = @id AND ${column} IS NOT NULL
        EXCEPT SELECT ${column} FROM dataset_items WHERE dataset_id != @id AND ${column} IS NOT NULL`)
      .all({ id: datasetId }) as { v: string }[]).map((r) => r.v);
    const contentHashes = only('content_hash');
    const captions = only('caption');
    return { contentHashes, captions };
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

  /**
   * Marks every usable image whose content equals another file's as that file's duplicate. Equal
   * content hashes mean identical bytes (so equal sizes); the original is the first seen: the
   * lowest row id, i.e. the source's order at the import that first saw it (a file added later
   * is the duplicate even when its name sorts first), never the alphabetically first path.
   */
  markDuplicates(datasetId: string): number {
    return this.db.transaction(() => {
      this.db.prepare('UPDATE dataset_items SET duplicate_of = NULL WHERE dataset_id = ? AND duplicate_of IS NOT NULL').run(datasetId);
      return this.db
        .prepare(`
          WITH ranked AS (
            SELECT content_hash, image_path, row_number() OVER (
              PARTITION BY content_hash ORDER BY id) AS rank
            FROM dataset_items WHERE dataset_id = @id AND content_hash IS NOT NULL AND status != 'error'),
          firsts AS (
            SELECT content_hash, max(CASE WHEN rank = 1 THEN image_path END) AS first FROM ranked
            GROUP BY content_hash HAVING count(DISTINCT image_path) > 1)
          UPDATE dataset_items SET duplicate_of = (SELECT first FROM firsts WHERE firsts.content_hash = dataset_items.content_hash)
          WHERE dataset_id = @id AND status != 'error' AND content_hash IN (SELECT content_hash FROM firsts)
            AND image_path != (SELECT first FROM firsts WHERE firsts.content_hash = dataset_items.content_hash)`)
        .run({ id: datasetId }).changes;
    })();
  }
}
