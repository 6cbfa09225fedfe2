// The prepared-cache index: one row per cached tensor file, keyed by kind, input hash (image
// content or caption), model id and resolution (0 / '' where they do not apply) and variant. A
// lookup with another model or resolution simply misses; `prune` drops what the current settings
// can no longer use and returns the files to delete.
import type { Database } from 'better-sqlite3';

export type CacheKind = 'pixels' | 'latent' | 'text-states' | 'prompt-embedding';

export interface CacheKey {
  readonly kind: CacheKind;
  readonly inputHash: string;
  readonly modelId: string;
  readonly resolution: number;
  readonly variant: string;
}

export interface CacheEntry extends CacheKey {
  readonly path: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly bytes: number;
  readonly sha256: string;
}

interface EntryRow { kind: CacheKind; input_hash: string; model_id: string; resolution: number; variant: string; path: string; dtype: string; shape_json: string; bytes: number; sha256: string }

const fromRow = (r: EntryRow): CacheEntry => ({
  kind: r.kind, inputHash: r.input_hash, modelId: r.model_id, resolution: r.resolution, variant: r.variant,
  path: r.path, dtype: r.dtype, shape: JSON.parse(r.shape_json), bytes: r.bytes, sha256: r.sha256,
});

export class PreparedCacheRepository {
  constructor(private readonly db: Database) {}

  get(key: CacheKey): CacheEntry | undefined {
    const row = this.db
      .prepare('SELECT * FROM prepared_cache WHERE kind = ? AND input_hash = ? AND model_id = ? AND resolution = ? AND variant = ?')
      .get(key.kind, key.inputHash, key.modelId, key.resolution, key.variant) as EntryRow | undefined;
    return row && fromRow(row);
  }

  put(e: CacheEntry): void {
    this.db
      .prepare('INSERT OR REPLACE INTO prepared_cache VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(e.kind, e.inputHash, e.modelId, e.resolution, e.variant, e.path, e.dtype, JSON.stringify(e.shape), e.bytes, e.sha256, new Date().toISOString());
  }

  count(kind?: CacheKind): number {
    const row = (kind ? this.db.prepare('SELECT count(*) AS n FROM prepared_cache WHERE kind = ?').get(kind) : this.db.prepare('SELECT count(*) AS n FROM prepared_cache').get()) as { n: number };
    return row.n;
  }

  /** Removes every entry made from one of `inputHashes` (any kind, model, resolution); returns their paths. */
  removeInputs(inputHashes: readonly string[]): string[] {
    const select = this.db.prepare('SELECT path FROM prepared_cache WHERE input_hash = ?');
    const remove = this.db.prepare('DELETE FROM prepared_cache WHERE input_hash = ?');
    return this.db.transaction(() => inputHashes.flatMap((h) => {
      const paths = (select.all(h) as { path: string }[]).map((r) => r.path);
      remove.run(h);
      return paths;
    }))();
  }

  /** Removes every entry of `kind` not made with `modelId` at `resolution`; returns their paths. */
  prune(kind: CacheKind, modelId: string, resolution: number): string[] {
    return this.db.transaction(() => {
      const stale = this.db
        .prepare('SELECT path FROM prepared_cache WHERE kind = ? AND (model_id != ? OR resolution != ?)')
        .all(kind, modelId, resolution) as { path: string }[];
      this.db.prepare('DELETE FROM prepared_cache WHERE kind = ? AND (model_id != ? OR resolution != ?)').run(kind, modelId, resolution);
      return stale.map((s) => s.path);
    })();
  }
}
