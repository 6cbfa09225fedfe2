// 2-D UMAP of an N x D matrix with umap-js, seeded and deterministic (a seeded generator feeds every
// random choice umap-js makes: the random-projection forest, NN-descent, the layout's negative
// samples), on L2-normalised rows (Euclidean on unit vectors orders neighbours as cosine does, the
// usual metric for text embeddings). The layout's epochs run in slices that yield to the event loop,
// so the engine host keeps answering and a cancel is seen between slices.
import { UMAP } from 'umap-js';
import { throwIfCancelled } from '../../jobs/job';

export interface UmapParams {
  readonly nNeighbors: number;
  readonly minDist: number;
  readonly seed: number;
}

export const DEFAULT_UMAP: UmapParams = { nNeighbors: 15, minDist: 0.1, seed: 42 };

export interface LayoutOptions {
  readonly signal?: AbortSignal;
  /** Called after each slice of epochs with (epochs done, total). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** mulberry32: a small, fast, well-mixed 32-bit generator; the same seed gives the same stream. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normalisedRows(data: Float32Array, n: number, d: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from(data.subarray(i * d, (i + 1) * d));
    const norm = Math.hypot(...row) || 1;
    rows.push(row.map((v) => v / norm));
  }
  return rows;
}

const EPOCHS_PER_SLICE = 10;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Returns [n * 2] coordinates; fewer than 3 rows are laid out on a line (UMAP needs neighbours). */
export async function umapLayout(data: Float32Array, n: number, d: number, params: UmapParams, o: LayoutOptions = {}): Promise<Float32Array> {
  const out = new Float32Array(n * 2);
  if (n < 3) {
    for (let i = 0; i < n; i++) out[i * 2] = i;
    return out;
  }
  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.min(params.nNeighbors, n - 1), minDist: params.minDist, random: seededRandom(params.seed) });
  const epochs = umap.initializeFit(normalisedRows(data, n, d));
  for (let done = 0; done < epochs; ) {
    if (o.signal) throwIfCancelled(o.signal);
    for (let k = 0; k < EPOCHS_PER_SLICE && done < epochs; k++) done = umap.step();
    o.onProgress?.(done, epochs);
    await nextTurn();
  }
  umap.getEmbedding().forEach((p, i) => {
    out[i * 2] = p[0]!;
    out[i * 2 + 1] = p[1]!;
  });
  return out;
}
