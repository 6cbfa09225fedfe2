// A dataset's prompt embeddings as one N x D Float32 matrix, read from the preparation cache (one
// pooled embedding per distinct caption, keyed by caption hash and the encoder's cache model id),
// for every usable captioned item in id order. The input hash covers item ids and each entry's
// content hash, so a projection cached against it goes stale exactly when its inputs change. An
// item whose embedding is missing refuses the whole matrix: a map silently missing prompts is wrong.
import { createHash } from 'node:crypto';
import { EngineError } from '../../core/errors';
import { cacheKey, captionHash, PreparedCache } from '../../data/prepared-cache';
import { DatasetReportRepository } from '../../store/repositories/datasets-report';
import type { Workspace } from '../../store/workspace';

export interface EmbeddingMatrix {
  readonly itemIds: readonly number[];
  readonly dim: number;
  /** Row-major [itemIds.length, dim]. */
  readonly data: Float32Array;
  readonly inputHash: string;
}

const PAGE = 512;

/** The usable captioned items of a dataset, in id order. */
function captionedItems(ws: Workspace, datasetId: string): { id: number; caption: string }[] {
  const report = new DatasetReportRepository(ws.db);
  const out: { id: number; caption: string }[] = [];
  for (let page = report.usableAfter(datasetId, 0, PAGE); page.length > 0; page = report.usableAfter(datasetId, page[page.length - 1]!.id, PAGE)) {
    for (const item of page) if (item.caption) out.push({ id: item.id, caption: item.caption });
  }
  return out;
}

/** Reads every embedding, checking one dimension throughout. */
export async function loadPromptEmbeddings(ws: Workspace, datasetId: string, encoder: string): Promise<EmbeddingMatrix> {
  const items = captionedItems(ws, datasetId);
  const cache = new PreparedCache(ws);
  const hash = createHash('sha256').update(`${datasetId}\n${encoder}\n`);
  let dim = 0;
  let data = new Float32Array(0);
  for (const [row, item] of items.entries()) {
    const key = cacheKey('prompt-embedding', captionHash(item.caption), encoder, 0, '');
    const tensor = await cache.read(key);
    if (!tensor || tensor.dtype !== 'float32' || tensor.shape.length !== 1) {
      throw new EngineError('not-found', `Item ${item.id} of dataset ${datasetId} has no prompt embedding from ${encoder}; prepare the dataset with this model first (\`aptp data prepare\`, or Prepare in the Dataset view).`, { datasetId, encoder, itemId: item.id });
    }
    if (row === 0) {
      dim = tensor.shape[0]!;
      data = new Float32Array(items.length * dim);
    } else if (tensor.shape[0] !== dim) {
      throw new EngineError('corrupt-file', `Prompt embeddings of dataset ${datasetId} disagree in size (${dim} and ${tensor.shape[0]}); prepare the dataset again.`, { datasetId, encoder, itemId: item.id });
    }
    data.set(tensor.data as Float32Array, row * dim);
    hash.update(`${item.id}:${cache.index.get(key)!.sha256}\n`);
  }
  return { itemIds: items.map((i) => i.id), dim, data, inputHash: hash.digest('hex') };
}
