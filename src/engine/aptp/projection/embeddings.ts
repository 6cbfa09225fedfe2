// A dataset's prompt embeddings as one N x D Float32 matrix, read from the preparation cache (one
// pooled embedding per distinct caption, keyed by caption hash and the encoder's cache model id),
// for every usable captioned item in id order. The input hash covers item ids and each entry's
// content hash as the cache index records it (checking a cached projection reads no tensor file),
// so a projection cached against it goes stale exactly when its inputs change. An item whose
// embedding is missing refuses the whole matrix: a map silently missing prompts is wrong.
import { createHash } from 'node:crypto';
import { EngineError } from '../../core/errors';
import { cacheKey, captionHash, PreparedCache } from '../../data/prepared-cache';
import type { CacheKey } from '../../store/repositories/datasets-prepared';
import { RoutingRepository } from '../../store/repositories/routing';
import type { Workspace } from '../../store/workspace';

export interface EmbeddingMatrix {
  readonly itemIds: readonly number[];
  readonly dim: number;
  /** Row-major [itemIds.length, dim]. */
  readonly data: Float32Array;
  readonly inputHash: string;
}

interface EmbeddingIndex {
  readonly items: readonly { id: number; key: CacheKey }[];
  readonly inputHash: string;
}

/** Finds every item's cache entry (from the SQLite index only) and hashes ids and entry hashes. */
function indexEmbeddings(ws: Workspace, datasetId: string, encoder: string): EmbeddingIndex {
  const repo = new RoutingRepository(ws.db);
  const hash = createHash('sha256').update(`${datasetId}\n${encoder}\n`);
  const prompts = repo.promptItems(datasetId).map((item) => ({ id: item.id, captionHash: captionHash(item.caption) }));
  const recorded = repo.embeddingHashes(encoder, [...new Set(prompts.map((p) => p.captionHash))]);
  const items = prompts.map((p) => {
    const sha = recorded.get(p.captionHash);
    if (!sha) throw missing(datasetId, encoder, p.id);
    hash.update(`${p.id}:${sha}\n`);
    return { id: p.id, key: cacheKey('prompt-embedding', p.captionHash, encoder, 0, '') };
  });
  return { items, inputHash: hash.digest('hex') };
}

const missing = (datasetId: string, encoder: string, itemId: number): EngineError =>
  new EngineError('not-found', `Item ${itemId} of dataset ${datasetId} has no prompt embedding from ${encoder}; prepare the dataset with this model first (\`aptp data prepare\`, or Prepare in the Dataset view).`, { datasetId, encoder, itemId });

/** The hash a projection of these embeddings is cached against, without reading the tensors. */
export function promptEmbeddingsHash(ws: Workspace, datasetId: string, encoder: string): string {
  return indexEmbeddings(ws, datasetId, encoder).inputHash;
}

/** Reads every embedding, checking one dimension throughout. */
export async function loadPromptEmbeddings(ws: Workspace, datasetId: string, encoder: string): Promise<EmbeddingMatrix> {
  const { items, inputHash } = indexEmbeddings(ws, datasetId, encoder);
  const cache = new PreparedCache(ws);
  let dim = 0;
  let data = new Float32Array(0);
  for (const [row, item] of items.entries()) {
    const tensor = await cache.read(item.key);
    if (!tensor || tensor.dtype !== 'float32' || tensor.shape.length !== 1) throw missing(datasetId, encoder, item.id);
    if (row === 0) {
      dim = tensor.shape[0]!;
      data = new Float32Array(items.length * dim);
    } else if (tensor.shape[0] !== dim) {
      throw new EngineError('corrupt-file', `Prompt embeddings of dataset ${datasetId} disagree in size (${dim} and ${tensor.shape[0]}); prepare the dataset again.`, { datasetId, encoder, itemId: item.id });
    }
    data.set(tensor.data as Float32Array, row * dim);
  }
  return { itemIds: items.map((i) => i.id), dim, data, inputHash };
}
