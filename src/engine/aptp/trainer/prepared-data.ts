// The pruning trainer's data from a prepared dataset: every usable item whose latent distribution,
// text states and prompt embedding are all in the preparation cache for this model (its VAE and
// text encoder ids) at the training resolution. Tensors are read from the cache when a step needs
// them. A dataset prepared for another model or resolution, or not at all, is refused with the
// command that prepares it.
import { EngineError } from '../../core/errors';
import { modelComponentId, textEncoderId } from '../../data/model-id';
import { cacheKey, captionHash, PreparedCache } from '../../data/prepared-cache';
import { CLIP_OUTPUTS } from '../../models/sd/clip';
import { DatasetReportRepository } from '../../store/repositories/datasets-report';
import type { CacheKey } from '../../store/repositories/datasets-prepared';
import type { Workspace } from '../../store/workspace';
import type { PruneData, PruneItem } from './prune-data';

interface Keys {
  readonly latent: CacheKey;
  readonly text: CacheKey;
  readonly embedding: CacheKey;
  readonly caption: string;
}

const PAGE = 1000;

/**
 * The prepared items of `datasetId` for the model folder at `resolution` (center crop unless
 * `variant` says otherwise); prompt embeddings from the cache id `promptEncoder` (default: the
 * model's text encoder, pooled).
 */
export async function preparedData(ws: Workspace, datasetId: string, datasetName: string, modelDir: string, resolution: number, promptEncoder?: string, variant = 'center'): Promise<PruneData> {
  const [vaeId, textId] = await Promise.all([modelComponentId(modelDir, 'vae'), textEncoderId(modelDir)]);
  const embeddingId = promptEncoder ?? `${textId}#${CLIP_OUTPUTS.pooled}`;
  const cache = new PreparedCache(ws);
  const report = new DatasetReportRepository(ws.db);
  const keys: Keys[] = [];
  for (let after = 0; ;) {
    const page = report.usableAfter(datasetId, after, PAGE);
    if (page.length === 0) break;
    after = page[page.length - 1]?.id ?? after;
    for (const item of page) {
      if (!item.contentHash || !item.caption) continue;
      const hash = captionHash(item.caption);
      const k: Keys = { latent: cacheKey('latent', item.contentHash, vaeId, resolution, variant), text: cacheKey('text-states', hash, textId, 0, ''), embedding: cacheKey('prompt-embedding', hash, embeddingId, 0, ''), caption: item.caption };
      if (cache.has(k.latent) && cache.has(k.text) && cache.has(k.embedding)) keys.push(k);
    }
  }
  if (keys.length === 0) {
    throw new EngineError('invalid-argument', `Dataset '${datasetName}' has no items prepared for this model at ${resolution}px; run \`aptp data prepare ${datasetName} --model ${modelDir} --resolution ${resolution}\` first.`, { dataset: datasetName, resolution });
  }
  const read = async (key: CacheKey): Promise<{ data: Float32Array; shape: readonly number[] }> => {
    const t = await cache.read(key);
    if (!t || !(t.data instanceof Float32Array)) throw new EngineError('corrupt-file', `A prepared ${key.kind} tensor of dataset '${datasetName}' is missing or damaged; run \`aptp data prepare\` again.`, { kind: key.kind });
    return { data: t.data, shape: t.shape };
  };
  const item = async (i: number): Promise<PruneItem> => {
    const k = keys[i] ?? (keys[0] as Keys);
    const [latent, text, embedding] = await Promise.all([read(k.latent), read(k.text), read(k.embedding)]);
    return { latent: latent.data, text: text.data, embedding: embedding.data, caption: k.caption };
  };
  const first = keys[0] as Keys;
  const [latent, text, embedding] = await Promise.all([read(first.latent), read(first.text), read(first.embedding)]);
  const [c2 = 0, h = 0, w = 0] = latent.shape;
  const [t = 0, d = 0] = text.shape;
  return { size: keys.length, latentShape: [c2 / 2, h, w], textShape: [t, d], embedDim: embedding.shape[0] ?? 0, promptEncoder: embeddingId, item };
}
