// A dataset's prompt map: its prompt embeddings (embeddings.ts) projected to 2-D (umap.ts), cached in
// SQLite per (dataset, encoder, parameters). A cached projection is served only while its input hash
// matches the embeddings now in the cache (a re-import or re-preparation recomputes it). The
// coordinates are scaled into [-1, 1] on the longer axis (aspect kept), so views need no data range.
import { RoutingRepository, type ProjectedPoint, type ProjectionRecord } from '../../store/repositories/routing';
import type { Workspace } from '../../store/workspace';
import { loadPromptEmbeddings, promptEmbeddingsHash } from './embeddings';
import { DEFAULT_UMAP, umapLayout, type LayoutOptions, type UmapParams } from './umap';

export const PROJECTION_METHOD = 'umap-js@1.4.0/l2-normalised';

export interface DatasetProjection {
  readonly record: ProjectionRecord;
  readonly points: readonly ProjectedPoint[];
  /** True when served from the SQLite cache, false when computed by this call. */
  readonly cached: boolean;
}

/** The cache key's parameter part: canonical JSON (fixed key order) of the method and parameters. */
export function projectionParamsJson(p: UmapParams): string {
  return JSON.stringify({ method: PROJECTION_METHOD, nNeighbors: p.nNeighbors, minDist: p.minDist, seed: p.seed });
}

/** Centres the layout and scales its longer side to [-1, 1]. */
export function normaliseLayout(xy: Float32Array): Float32Array {
  const n = xy.length / 2;
  if (n === 0) return xy;
  const lo = [Infinity, Infinity];
  const hi = [-Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    for (const a of [0, 1]) {
      lo[a] = Math.min(lo[a]!, xy[i * 2 + a]!);
      hi[a] = Math.max(hi[a]!, xy[i * 2 + a]!);
    }
  }
  const half = Math.max(hi[0]! - lo[0]!, hi[1]! - lo[1]!) / 2 || 1;
  const out = new Float32Array(xy.length);
  for (let i = 0; i < n; i++) {
    for (const a of [0, 1]) out[i * 2 + a] = (xy[i * 2 + a]! - (lo[a]! + hi[a]!) / 2) / half;
  }
  return out;
}

export async function datasetProjection(ws: Workspace, datasetId: string, encoder: string, params: UmapParams = DEFAULT_UMAP, o: LayoutOptions = {}): Promise<DatasetProjection> {
  const repo = new RoutingRepository(ws.db);
  const paramsJson = projectionParamsJson(params);
  const found = repo.findProjection(datasetId, encoder, paramsJson);
  if (found && found.inputHash === promptEmbeddingsHash(ws, datasetId, encoder)) return { record: found, points: repo.points(found.id), cached: true };
  const embeddings = await loadPromptEmbeddings(ws, datasetId, encoder);
  const n = embeddings.itemIds.length;
  const xy = normaliseLayout(await umapLayout(embeddings.data, n, embeddings.dim, params, o));
  const points = embeddings.itemIds.map((itemId, i) => ({ itemId, x: xy[i * 2]!, y: xy[i * 2 + 1]! }));
  const record = repo.saveProjection(datasetId, encoder, paramsJson, embeddings.inputHash, points);
  return { record, points: repo.points(record.id), cached: false };
}
