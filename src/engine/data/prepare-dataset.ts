// Prepares a dataset's usable items for training, once: the resized/cropped/flipped pixels of each
// distinct image, the VAE latents of those pixels, and the text-encoder states / prompt embeddings
// of each distinct caption, each stored in the prepared cache under a key that names only what it
// depends on. Encoders plug in through the two interfaces below (the SD components provide them);
// without a latent encoder the pixels themselves are cached. Pages through the manifest by id, so
// memory stays bounded; progress per item; cancel between items.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../core/errors';
import { throwIfCancelled, type JobContext } from '../jobs/job';
import { DatasetRepository } from '../store/repositories/datasets';
import { DatasetReportRepository, type UsableItem } from '../store/repositories/datasets-report';
import type { Workspace } from '../store/workspace';
import { sha256 } from './image-check';
import type { NpyTensor } from './npy';
import { cacheKey, captionHash, PreparedCache } from './prepared-cache';
import { prepareImage, toModelInput, variantOf, type PrepareSpec } from './prepare-image';

export interface LatentEncoder {
  readonly modelId: string;
  /** float32 CHW in [-1, 1] at `resolution` -> the latent tensor. */
  encode(input: Float32Array, resolution: number): Promise<NpyTensor>;
}

export interface CaptionEncoder {
  readonly kind: 'text-states' | 'prompt-embedding';
  readonly modelId: string;
  encode(caption: string): Promise<NpyTensor>;
}

export interface PrepareOptions {
  readonly spec: PrepareSpec;
  readonly latentEncoder?: LatentEncoder;
  readonly captionEncoders?: readonly CaptionEncoder[];
  /** Cache the pixels too (default: only when there is no latent encoder). */
  readonly storePixels?: boolean;
}

export interface PrepareSummary {
  readonly items: number;
  readonly written: Readonly<Record<string, number>>;
  readonly reused: Readonly<Record<string, number>>;
  /** Images whose file changed since import (re-import first). */
  readonly stale: number;
}

class Tally {
  readonly written: Record<string, number> = {};
  readonly reused: Record<string, number> = {};
  stale = 0;
  add(kind: string, wrote: boolean): void {
    const t = wrote ? this.written : this.reused;
    t[kind] = (t[kind] ?? 0) + 1;
  }
}

async function prepareItemImage(root: string, item: UsableItem, cache: PreparedCache, o: PrepareOptions, tally: Tally): Promise<void> {
  if (!item.imagePath || !item.contentHash) return;
  const variant = variantOf(o.spec);
  const pixelsKey = cacheKey('pixels', item.contentHash, '', o.spec.resolution, variant);
  const latentKey = o.latentEncoder && cacheKey('latent', item.contentHash, o.latentEncoder.modelId, o.spec.resolution, variant);
  const storePixels = o.storePixels ?? !o.latentEncoder;
  const needPixels = storePixels && !cache.has(pixelsKey);
  const needLatent = latentKey !== undefined && !cache.has(latentKey);
  if (storePixels && !needPixels) tally.add('pixels', false);
  if (latentKey && !needLatent) tally.add('latent', false);
  if (!needPixels && !needLatent) return;
  const bytes = await readFile(join(root, item.imagePath)).catch(() => undefined);
  if (!bytes || sha256(bytes) !== item.contentHash) {
    tally.stale++;
    return;
  }
  const prepared = await prepareImage(bytes, item.contentHash, o.spec);
  const r = o.spec.resolution;
  if (needPixels) {
    await cache.write(pixelsKey, { dtype: 'uint8', shape: [r, r, 3], data: prepared.pixels });
    tally.add('pixels', true);
  }
  if (needLatent && latentKey && o.latentEncoder) {
    await cache.write(latentKey, await o.latentEncoder.encode(toModelInput(prepared), r));
    tally.add('latent', true);
  }
}

async function prepareItemCaption(item: UsableItem, cache: PreparedCache, encoders: readonly CaptionEncoder[], tally: Tally): Promise<void> {
  if (!item.caption) return;
  const hash = captionHash(item.caption);
  for (const encoder of encoders) {
    const key = cacheKey(encoder.kind, hash, encoder.modelId, 0, '');
    if (cache.has(key)) {
      tally.add(encoder.kind, false);
      continue;
    }
    await cache.write(key, await encoder.encode(item.caption));
    tally.add(encoder.kind, true);
  }
}

export async function prepareDataset(ws: Workspace, datasetId: string, o: PrepareOptions, job: JobContext): Promise<PrepareSummary> {
  const dataset = new DatasetRepository(ws.db).get(datasetId);
  if (!dataset) throw new EngineError('not-found', `No dataset ${datasetId} in this workspace; import one with \`aptp data import DIR\`.`, { datasetId });
  const report = new DatasetReportRepository(ws.db);
  const total = report.totals(datasetId).usable;
  const cache = new PreparedCache(ws);
  const tally = new Tally();
  let done = 0;
  for (let page = report.usableAfter(datasetId, 0, 128); page.length > 0; page = report.usableAfter(datasetId, page[page.length - 1]!.id, 128)) {
    for (const item of page) {
      throwIfCancelled(job.signal);
      await prepareItemImage(dataset.root, item, cache, o, tally);
      await prepareItemCaption(item, cache, o.captionEncoders ?? [], tally);
      job.progress({ done: ++done, total, detail: item.imagePath ?? undefined });
    }
  }
  return { items: done, written: tally.written, reused: tally.reused, stale: tally.stale };
}
