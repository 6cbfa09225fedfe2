// Read side of a dataset's manifest: counts per report category, totals, histograms of caption
// length and image size computed in SQL (never by loading the items), pages of items filtered by
// category and caption search, and the content hashes behind item thumbnails.
import type { Database } from 'better-sqlite3';

export interface CategoryCount { readonly category: string; readonly count: number }
export interface HistogramBin { readonly lo: number; readonly hi: number; readonly count: number }

export interface DatasetTotals {
  readonly items: number;
  readonly images: number;
  readonly usable: number;
  readonly repeatedItems: number;
  readonly distinctImages: number;
}

export interface ItemRow {
  readonly id: number;
  readonly key: string;
  readonly imagePath: string | null;
  readonly contentHash: string | null;
  readonly caption: string | null;
  readonly captionChars: number | null;
  readonly width: number | null;
  readonly height: number | null;
  readonly repeats: number;
  readonly status: string;
  readonly category: string;
  readonly problemDetail: string | null;
  readonly duplicateOf: string | null;
}

export interface UsableItem {
  readonly id: number;
  readonly imagePath: string | null;
  readonly contentHash: string | null;
  readonly caption: string | null;
}

export interface ItemQuery {
  readonly offset: number;
  readonly limit: number;
  readonly category?: string;
  readonly search?: string;
}

/** Bin edges: [0, e1), [e1, e2) ... [eN, inf). */
export const CAPTION_CHAR_EDGES = [0, 10, 20, 40, 80, 160, 320, 640, 1280];
export const IMAGE_SIDE_EDGES = [0, 128, 256, 384, 512, 768, 1024, 1536, 2048, 4096];

const ITEM_COLUMNS = `id, key, image_path AS imagePath, content_hash AS contentHash, caption, caption_chars AS captionChars, width, height,
  repeats, status, category, problem_detail AS problemDetail, duplicate_of AS duplicateOf`;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class DatasetReportRepository {
  constructor(private readonly db: Database) {}

  categories(datasetId: string): CategoryCount[] {
    return this.db
      .prepare('SELECT category, count(*) AS count FROM dataset_items WHERE dataset_id = ? GROUP BY category ORDER BY count DESC, category')
      .all(datasetId) as CategoryCount[];
  }

  totals(datasetId: string): DatasetTotals {
    return this.db
      .prepare(`SELECT count(*) AS items, count(content_hash) AS images,
          coalesce(sum(category IN ('ok', 'extension-mismatch')), 0) AS usable,
          coalesce(sum(CASE WHEN category IN ('ok', 'extension-mismatch') THEN repeats ELSE 0 END), 0) AS repeatedItems,
          count(DISTINCT content_hash) AS distinctImages
        FROM dataset_items WHERE dataset_id = ?`)
      .get(datasetId) as DatasetTotals;
  }

  #histogram(datasetId: string, expression: string, edges: readonly number[]): HistogramBin[] {
    const cases = edges.map((e, i) => `WHEN v < ${edges[i + 1] ?? 'NULL'} THEN ${i}`).slice(0, -1).join(' ');
    const rows = this.db
      .prepare(`SELECT bin, count(*) AS count FROM (SELECT CASE ${cases} ELSE ${edges.length - 1} END AS bin FROM
        (SELECT ${expression} AS v FROM dataset_items WHERE dataset_id = ? AND ${expression} IS NOT NULL)) GROUP BY bin`)
      .all(datasetId) as { bin: number; count: number }[];
    const counts = new Map(rows.map((r) => [r.bin, r.count]));
    return edges.map((lo, i) => ({ lo, hi: edges[i + 1] ?? Number.POSITIVE_INFINITY, count: counts.get(i) ?? 0 }));
  }

  captionLengths(datasetId: string): HistogramBin[] {
    return this.#histogram(datasetId, 'caption_chars', CAPTION_CHAR_EDGES);
  }

  /** Shorter image side, in pixels. */
  imageSides(datasetId: string): HistogramBin[] {
    return this.#histogram(datasetId, 'min(width, height)', IMAGE_SIDE_EDGES);
  }

  items(datasetId: string, q: ItemQuery): { total: number; items: ItemRow[] } {
    const where = ['dataset_id = @datasetId'];
    if (q.category) where.push('category = @category');
    if (q.search) where.push("caption LIKE @pattern ESCAPE '\\'");
    const params = { datasetId, category: q.category ?? null, pattern: `%${escapeLike(q.search ?? '')}%`, limit: q.limit, offset: q.offset };
    const clause = where.join(' AND ');
    const { total } = this.db.prepare(`SELECT count(*) AS total FROM dataset_items WHERE ${clause}`).get(params) as { total: number };
    const items = this.db.prepare(`SELECT ${ITEM_COLUMNS} FROM dataset_items WHERE ${clause} ORDER BY id LIMIT @limit OFFSET @offset`).all(params) as ItemRow[];
    return { total, items };
  }

  /** Usable items (ok or warning, not duplicates) after `afterId`, in id order: keyset pages for long jobs. */
  usableAfter(datasetId: string, afterId: number, limit: number): UsableItem[] {
    return this.db
      .prepare(`SELECT id, image_path AS imagePath, content_hash AS contentHash, caption FROM dataset_items
        WHERE dataset_id = ? AND id > ? AND status != 'error' AND duplicate_of IS NULL ORDER BY id LIMIT ?`)
      .all(datasetId, afterId, limit) as UsableItem[];
  }

  /** Content hashes of the given items of a dataset (ids not in it are left out). */
  contentHashes(datasetId: string, ids: readonly number[]): Map<number, string> {
    const stmt = this.db.prepare('SELECT content_hash AS hash FROM dataset_items WHERE dataset_id = ? AND id = ?');
    const out = new Map<number, string>();
    for (const id of ids) {
      const row = stmt.get(datasetId, id) as { hash: string | null } | undefined;
      if (row?.hash) out.set(id, row.hash);
    }
    return out;
  }
}
