// Prepares a dataset's usable items for training, once: the resized/cropped/flipped pixels of each
// distinct image, the VAE latents of those pixels, and the text-encoder states / prompt embeddings
// of each distinct caption, each stored in the prepared cache under a key that names only what it
// depends on. Encoders plug in through the two interfaces below (sd-encoders.ts provides the SD
// model's own); without a latent encoder the pixels themselves are cached. Pages through the
// manifest by id and queues encoder work into fixed-size batches, so memory stays bounded; what is
// already cached is skipped (an interrupted preparation resumes) once its file is checked (size, or
// sha256 on request): a missing, truncated or changed file is rebuilt and counted as repaired.
// Temporaries left by a killed run are removed first. Progress counts items handed to the
// encoders; cancel between items (a batch in flight finishes).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../core/errors';
import { throwIfCancelled, type JobContext } from '../jobs/job';
import { DatasetRepository } from '../store/repositories/datasets';
import { DatasetReportRepository, type UsableItem } from '../store/repositories/datasets-report';
import type { Workspace } from '../store/workspace';
import { sha256 } from './image-check';
import type { NpyTensor } from './npy';
import type { CacheKey } from '../store/repositories/datasets-prepared';
import { cacheKey, captionHash, PreparedCache, type CacheVerify } from './prepared-cache';
import { removeLeftoverTemps } from './temp-files';
import { prepareImage, toModelInput, variantOf, type PrepareSpec } from './prepare-image';

export interface LatentEncoder {
  readonly modelId: string;
  /** Images per encoder run; the last run of a preparation may hold fewer. */
  readonly batchSize: number;
  /** float32 CHW in [-1, 1] at `resolution`, one per image -> one latent tensor per image. */
  encodeBatch(inputs: readonly Float32Array[], resolution: number): Promise<NpyTensor[]>;
}

export type CaptionKind = 'text-states' | 'prompt-embedding';

export interface CaptionEncoder {
  /** The cache model id of each kind this encoder produces. */
  readonly outputs: Readonly<Partial<Record<CaptionKind, string>>>;
  readonly batchSize: number;
  /** One record per caption with a tensor for each kind in `outputs`. */
  encodeBatch(captions: readonly string[]): Promise<Partial<Record<CaptionKind, NpyTensor>>[]>;
}

export interface PrepareOptions {
  readonly spec: PrepareSpec;
  readonly latentEncoder?: LatentEncoder;
  readonly captionEncoders?: readonly CaptionEncoder[];
  /** Cache the pixels too (default: only when there is no latent encoder). */
  readonly storePixels?: boolean;
  /** How cached files are checked before reuse (default: their size). */
  readonly verify?: CacheVerify;
}

export interface PrepareSummary {
  readonly items: number;
  readonly written: Readonly<Record<string, number>>;
  readonly reused: Readonly<Record<string, number>>;
  /** Images whose file changed since import (re-import first). */
  readonly stale: number;
  /** Cached files that were missing, truncated or changed, and were rebuilt. */
  readonly repaired: number;
  /** Temporary files of a killed run that were removed. */
  readonly leftoversRemoved: number;
}

class Tally {
  readonly written: Record<string, number> = {};
  readonly reused: Record<string, number> = {};
  stale = 0;
  repaired = 0;
  add(kind: string, wrote: boolean, n = 1): void {
    const t = wrote ? this.written : this.reused;
    t[kind] = (t[kind] ?? 0) + n;
  }
}

/** Work waiting for an encoder run: flushed when `size` distinct keys are queued, and at the end. */
class Batch<T> {
  private items: T[] = [];
  private readonly keys = new Set<string>();

  constructor(private readonly size: number, private readonly run: (items: T[]) => Promise<void>) {}

  async push(key: string, item: T): Promise<void> {
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.items.push(item);
    if (this.items.length >= this.size) await this.flush();
  }

  async flush(): Promise<void> {
    const items = this.items;
    if (items.length === 0) return;
    this.items = [];
    this.keys.clear();
    await this.run(items);
  }
}

interface PendingLatent { readonly key: CacheKey; readonly input: Float32Array }
interface PendingCaption { readonly caption: string; readonly keys: readonly CacheKey[] }

class Preparer {
  readonly tally = new Tally();
  readonly latents?: Batch<PendingLatent>;
  readonly captions: { readonly encoder: CaptionEncoder; readonly batch: Batch<PendingCaption> }[];

  constructor(private readonly root: string, private readonly cache: PreparedCache, private readonly o: PrepareOptions) {
    const latent = o.latentEncoder;
    if (latent) this.latents = new Batch(latent.batchSize, (items) => this.encodeLatents(latent, items));
    this.captions = (o.captionEncoders ?? []).map((encoder) => ({ encoder, batch: new Batch(encoder.batchSize, (items) => this.encodeCaptions(encoder, items)) }));
  }

  /** True when `key` is cached with a whole file; a damaged entry counts as repaired (it is rebuilt). */
  private async cached(key: CacheKey): Promise<boolean> {
    const state = await this.cache.check(key, this.o.verify ?? 'size');
    if (state === 'damaged') this.tally.repaired++;
    return state === 'valid';
  }

  private async encodeLatents(encoder: LatentEncoder, items: PendingLatent[]): Promise<void> {
    const out = await encoder.encodeBatch(items.map((i) => i.input), this.o.spec.resolution);
    for (const [i, item] of items.entries()) await this.cache.write(item.key, out[i]!);
    this.tally.add('latent', true, items.length);
  }

  private async encodeCaptions(encoder: CaptionEncoder, items: PendingCaption[]): Promise<void> {
    const out = await encoder.encodeBatch(items.map((i) => i.caption));
    for (const [i, item] of items.entries()) {
      for (const key of item.keys) {
        const tensor = out[i]?.[key.kind as CaptionKind];
        if (!tensor) throw new EngineError('runtime-failure', `The caption encoder returned no ${key.kind} for '${item.caption.slice(0, 60)}'.`, { kind: key.kind });
        await this.cache.write(key, tensor);
        this.tally.add(key.kind, true);
      }
    }
  }

  async image(item: UsableItem): Promise<void> {
    if (!item.imagePath || !item.contentHash) return;
    const { spec, latentEncoder } = this.o;
    const variant = variantOf(spec);
    const pixelsKey = cacheKey('pixels', item.contentHash, '', spec.resolution, variant);
    const latentKey = latentEncoder && cacheKey('latent', item.contentHash, latentEncoder.modelId, spec.resolution, variant);
    const storePixels = this.o.storePixels ?? !latentEncoder;
    const needPixels = storePixels && !(await this.cached(pixelsKey));
    const needLatent = latentKey !== undefined && !(await this.cached(latentKey));
    if (storePixels && !needPixels) this.tally.add('pixels', false);
    if (latentKey && !needLatent) this.tally.add('latent', false);
    if (!needPixels && !needLatent) return;
    const bytes = await readFile(join(this.root, item.imagePath)).catch(() => undefined);
    if (!bytes || sha256(bytes) !== item.contentHash) {
      this.tally.stale++;
      return;
    }
    const prepared = await prepareImage(bytes, item.contentHash, spec);
    const r = spec.resolution;
    if (needPixels) {
      await this.cache.write(pixelsKey, { dtype: 'uint8', shape: [r, r, 3], data: prepared.pixels });
      this.tally.add('pixels', true);
    }
    if (needLatent && latentKey) await this.latents?.push(latentKey.inputHash, { key: latentKey, input: toModelInput(prepared) });
  }

  async caption(item: UsableItem): Promise<void> {
    if (!item.caption) return;
    const hash = captionHash(item.caption);
    for (const { encoder, batch } of this.captions) {
      const keys: CacheKey[] = [];
      for (const [kind, modelId] of Object.entries(encoder.outputs) as [CaptionKind, string][]) {
        const key = cacheKey(kind, hash, modelId, 0, '');
        if (await this.cached(key)) this.tally.add(kind, false);
        else keys.push(key);
      }
      if (keys.length > 0) await batch.push(hash, { caption: item.caption, keys });
    }
  }

  async flush(): Promise<void> {
    await this.latents?.flush();
    for (const { batch } of this.captions) await batch.flush();
  }
}

export async function prepareDataset(ws: Workspace, datasetId: string, o: PrepareOptions, job: JobContext): Promise<PrepareSummary> {
  const dataset = new DatasetRepository(ws.db).get(datasetId);
  if (!dataset) throw new EngineError('not-found', `No dataset ${datasetId} in this workspace; import one with \`aptp data import DIR\`.`, { datasetId });
  const report = new DatasetReportRepository(ws.db);
  const total = report.totals(datasetId).usable;
  const cache = new PreparedCache(ws);
  const leftoversRemoved = await removeLeftoverTemps(cache.dir);
  const preparer = new Preparer(dataset.root, cache, o);
  let done = 0;
  for (let page = report.usableAfter(datasetId, 0, 128); page.length > 0; page = report.usableAfter(datasetId, page[page.length - 1]!.id, 128)) {
    for (const item of page) {
      throwIfCancelled(job.signal);
      await preparer.image(item);
      await preparer.caption(item);
      job.progress({ done: ++done, total, detail: item.imagePath ?? undefined });
    }
  }
  throwIfCancelled(job.signal);
  await preparer.flush();
  const { written, reused, stale, repaired } = preparer.tally;
  return { items: done, written, reused, stale, repaired, leftoversRemoved };
}
