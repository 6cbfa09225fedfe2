// Read side of a dataset's manifest: counts per report category, totals, histograms of caption
// length and image size computed in SQL (never by loading the items), pages of items filtered by
// category, a histogram bin, excluded or over-long captions, searched in captions and file names
// and sorted by id, image size or caption length, one item in full, and the content hashes behind
// item thumbnails.
import type { Database } from 'better-sqlite3';

export interface CategoryCount { readonly category: string; readonly count: number }
export interface HistogramBin { readonly lo: number; readonly hi: number; readonly count: number }

export interface DatasetTotals {
  readonly items: number;
  readonly images: number;
  /** Usable and not excluded: what preparation and training use. */
  readonly usable: number;
  readonly repeatedItems: number;
  readonly distinctImages: number;
  readonly excluded: number;
  /** Captions longer than the text encoder's window (certainly, by the import's lower bound, or exactly after Prepare). */
  readonly longCaptions: number;
}

/** Tokens the CLIP text encoder sees of a caption: 77 with bos and eos, so 75 of its own. */
export const CAPTION_TOKEN_WINDOW = 75;

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
  readonly excluded: boolean;
  readonly captionTokens: number | null;
  readonly captionTokensExact: boolean;
}

/** One item in full, for the detail view: its files, its caption's source, and the original it duplicates. */
export interface ItemDetail extends ItemRow {
  readonly captionPath: string | null;
  readonly imageFormat: string | null;
  readonly imageBytes: number | null;
  readonly original: { readonly id: number; readonly key: string } | null;
}

export interface UsableItem {
  readonly id: number;
  readonly key: string;
  readonly imagePath: string | null;
  readonly contentHash: string | null;
  readonly caption: string | null;
  /** The image file's stamps at import, to notice a file changed since. */
  readonly imageBytes: number | null;
  readonly imageMtimeMs: number | null;
}

/** Filters that are not report categories: excluded items, and captions over the token window. */
export const ITEM_FLAGS = ['excluded', 'long-caption'] as const;
export type ItemFlag = (typeof ITEM_FLAGS)[number];
export const ITEM_SORTS = ['id', 'size', 'caption'] as const;
export type ItemSort = (typeof ITEM_SORTS)[number];
/** A histogram bin as a filter: caption characters or shorter image side in [lo, hi). */
export interface BinFilter { readonly of: 'caption' | 'side'; readonly lo: number; readonly hi: number | null }

export interface ItemQuery {
  readonly offset: number;
  readonly limit: number;
  readonly category?: string;
  readonly flag?: ItemFlag;
  readonly bin?: BinFilter;
  /** Matched in captions and in file names (item key and image path). */
  readonly search?: string;
  readonly sort?: ItemSort;
  readonly descending?: boolean;
}

/** Bin edges: [0, e1), [e1, e2) ... [eN, inf). */
export const CAPTION_CHAR_EDGES = [0, 10, 20, 40, 80, 160, 320, 640, 1280];
export const IMAGE_SIDE_EDGES = [0, 128, 256, 384, 512, 768, 1024, 1536, 2048, 4096];

const ITEM_COLUMNS = `id, key, image_path AS imagePath, content_hash AS contentHash, caption, caption_chars AS captionChars, width, height,
  repeats, status, category, problem_detail AS problemDetail, duplicate_of AS duplicateOf, excluded_at IS NOT NULL AS excluded,
  caption_tokens AS captionTokens, caption_tokens_exact AS captionTokensExact`;

const LONG_CAPTION = `coalesce(caption_tokens, 0) > ${CAPTION_TOKEN_WINDOW}`;
const FLAG_SQL: Readonly<Record<ItemFlag, string>> = { excluded: 'excluded_at IS NOT NULL', 'long-caption': LONG_CAPTION };
const BIN_VALUE: Readonly<Record<BinFilter['of'], string>> = { caption: 'caption_chars', side: 'min(width, height)' };
const SORT_SQL: Readonly<Record<ItemSort, string>> = { id: 'id', size: 'coalesce(width * height, -1)', caption: 'coalesce(caption_chars, -1)' };

type RawItem = Omit<ItemRow, 'excluded' | 'captionTokensExact'> & { excluded: number; captionTokensExact: number };
const itemOf = (r: RawItem): ItemRow => ({ ...r, excluded: r.excluded === 1, captionTokensExact: r.captionTokensExact === 1 });

/** The WHERE clause and parameters of an item query. */
function itemFilter(datasetId: string, q: ItemQuery): { clause: string; params: Record<string, unknown> } {
  const where = ['dataset_id = @datasetId'];
  if (q.category) where.push('category = @category');
  if (q.flag) where.push(FLAG_SQL[q.flag]);
  if (q.bin) where.push(`${BIN_VALUE[q.bin.of]} >= @binLo${q.bin.hi === null ? '' : ` AND ${BIN_VALUE[q.bin.of]} < @binHi`}`);
  if (q.search) where.push("(caption LIKE @pattern ESCAPE '\\' OR key LIKE @pattern ESCAPE '\\' OR image_path LIKE @pattern ESCAPE '\\')");
  const params = { datasetId, category: q.category ?? null, pattern: `%${escapeLike(q.search ?? '')}%`, binLo: q.bin?.lo ?? null, binHi: q.bin?.hi ?? null };
  return { clause: where.join(' AND '), params };
}

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
          coalesce(sum(category IN ('ok', 'extension-mismatch') AND excluded_at IS NULL), 0) AS usable,
          coalesce(sum(CASE WHEN category IN ('ok', 'extension-mismatch') AND excluded_at IS NULL THEN repeats ELSE 0 END), 0) AS repeatedItems,
          count(DISTINCT content_hash) AS distinctImages,
          coalesce(sum(excluded_at IS NOT NULL), 0) AS excluded,
          coalesce(sum(${LONG_CAPTION}), 0) AS longCaptions
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
    const { clause, params } = itemFilter(datasetId, q);
    const { total } = this.db.prepare(`SELECT count(*) AS total FROM dataset_items WHERE ${clause}`).get(params) as { total: number };
    const direction = q.descending ? 'DESC' : 'ASC';
    const order = `${SORT_SQL[q.sort ?? 'id']} ${direction}, id ${direction}`;
    const rows = this.db
      .prepare(`SELECT ${ITEM_COLUMNS} FROM dataset_items WHERE ${clause} ORDER BY ${order} LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: q.limit, offset: q.offset }) as RawItem[];
    return { total, items: rows.map(itemOf) };
  }

  /** One item of the dataset in full, or undefined when the dataset has no such item. */
  item(datasetId: string, id: number): ItemDetail | undefined {
    const row = this.db
      .prepare(`SELECT ${ITEM_COLUMNS}, caption_path AS captionPath, image_format AS imageFormat, image_bytes AS imageBytes FROM dataset_items WHERE dataset_id = ? AND id = ?`)
      .get(datasetId, id) as (RawItem & Pick<ItemDetail, 'captionPath' | 'imageFormat' | 'imageBytes'>) | undefined;
    if (!row) return undefined;
    const original = row.duplicateOf === null ? undefined : (this.db
      .prepare('SELECT id, key FROM dataset_items WHERE dataset_id = ? AND image_path = ? ORDER BY id LIMIT 1')
      .get(datasetId, row.duplicateOf) as { id: number; key: string } | undefined);
    return { ...itemOf(row), captionPath: row.captionPath, imageFormat: row.imageFormat, imageBytes: row.imageBytes, original: original ?? null };
  }

  /**
   * Usable items (ok or warning, not duplicates, not excluded) after `afterId`, in id order: keyset
   * pages for long jobs, each an index range scan (dataset_items_by_dataset), never a sort.
   */
  usableAfter(datasetId: string, afterId: number, limit: number): UsableItem[] {
    return this.db
      .prepare(`SELECT id, key, image_path AS imagePath, content_hash AS contentHash, caption, image_bytes AS imageBytes, image_mtime_ms AS imageMtimeMs
        FROM dataset_items INDEXED BY dataset_items_by_dataset
        WHERE dataset_id = ? AND id > ? AND status != 'error' AND duplicate_of IS NULL AND excluded_at IS NULL ORDER BY id LIMIT ?`)
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
