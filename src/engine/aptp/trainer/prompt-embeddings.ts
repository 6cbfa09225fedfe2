// The prompt encoder a pruning run routes with (APTP.md "Router" 1), as the run's configuration
// names it: 'model' (the default: the diffusers model's own text encoder, pooled; `aptp data prepare`
// already cached those embeddings) or 'sentence-transformers:DIR' (a local BERT/MPNet sentence
// model, mean pooled, as the paper's all-mpnet-base-v2). For the latter this computes the embeddings
// of every prompt of the dataset that the preparation cache does not hold yet under the folder's id,
// so a second run on the same data encodes nothing. A folder the engine cannot use is refused,
// naming what it is (encoders/st-folder.ts).
import { EngineError } from '../../core/errors';
import { cacheKey, captionHash, PreparedCache } from '../../data/prepared-cache';
import type { SessionConfig } from '../../runtime';
import { RoutingRepository } from '../../store/repositories/routing';
import type { Workspace } from '../../store/workspace';
import { openSentenceEncoder } from '../encoders';

export const MODEL_PROMPT_ENCODER = 'model';
const ST_PREFIX = 'sentence-transformers:';
const BATCH = 64;

/** The sentence-transformers folder a choice names, or undefined for the model's own text encoder. */
export function sentenceFolderOf(choice: string): string | undefined {
  if (choice === MODEL_PROMPT_ENCODER) return undefined;
  if (choice.startsWith(ST_PREFIX) && choice.length > ST_PREFIX.length) return choice.slice(ST_PREFIX.length);
  throw new EngineError('invalid-argument', `Unknown prompt encoder '${choice}'; use 'model' (the model's own text encoder, pooled) or 'sentence-transformers:DIR' (a local sentence-transformers folder).`, { choice });
}

/**
 * Caches the embedding of every usable prompt of `datasetId` from the sentence-transformers folder
 * `dir`; returns the encoder's cache id (what the run records and the router reads).
 */
export async function prepareSentenceEmbeddings(ws: Workspace, datasetId: string, dir: string, session: SessionConfig = {}): Promise<string> {
  const encoder = await openSentenceEncoder(dir, { session });
  try {
    const cache = new PreparedCache(ws);
    const captions = [...new Set(new RoutingRepository(ws.db).promptItems(datasetId).map((i) => i.caption))];
    const key = (caption: string) => cacheKey('prompt-embedding', captionHash(caption), encoder.id, 0, '');
    const missing = captions.filter((c) => !cache.has(key(c)));
    for (let start = 0; start < missing.length; start += BATCH) {
      const batch = missing.slice(start, start + BATCH);
      const out = await encoder.encode(batch);
      for (const [i, caption] of batch.entries()) {
        await cache.write(key(caption), { dtype: 'float32', shape: [encoder.dim], data: out.slice(i * encoder.dim, (i + 1) * encoder.dim) });
      }
    }
    return encoder.id;
  } finally {
    await encoder.dispose();
  }
}
