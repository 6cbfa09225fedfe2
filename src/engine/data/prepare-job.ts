// One preparation as the studio runs it: open the model folder's VAE and text encoder, prepare the
// dataset at the asked (or the model's) resolution, free the sessions, and report what was written
// and reused, with the cache model ids and what the prompt embeddings are, for the run record.
import { resolve } from 'node:path';
import type { JobContext } from '../jobs/job';
import type { Workspace } from '../store/workspace';
import { recordCaptionTokens, type LongCaptions } from './caption-tokens';
import { modelResolution } from './model-id';
import { prepareDataset } from './prepare-dataset';
import type { CacheVerify } from './prepared-cache';
import { openSdEncoders } from './sd-encoders';

export interface PrepareRequest {
  readonly datasetId: string;
  readonly modelDir: string;
  readonly resolution?: number;
  readonly crop: 'center' | 'random';
  readonly flip: boolean;
  readonly seed?: number;
  /** Also cache the cropped pixels. */
  readonly pixels?: boolean;
  /** How cached files are checked before reuse (default: size). */
  readonly verify?: CacheVerify;
  /** Images per VAE run. */
  readonly imageBatch?: number;
}

export interface PrepareResult {
  readonly items: number;
  readonly resolution: number;
  readonly written: Record<string, number>;
  readonly reused: Record<string, number>;
  readonly stale: number;
  readonly repaired: number;
  readonly leftoversRemoved: number;
  readonly latentModel: string;
  readonly textModel: string;
  readonly promptEncoder: string;
  readonly truncatedCaptions: number;
  /** Captions over the text encoder's window, counted exactly with the model's tokenizer, the first ones named. */
  readonly longCaptions: LongCaptions;
}

export async function runPreparation(ws: Workspace, r: PrepareRequest, job: JobContext): Promise<PrepareResult> {
  const modelDir = resolve(r.modelDir);
  const resolution = r.resolution ?? (await modelResolution(modelDir)) ?? 512;
  const encoders = await openSdEncoders(modelDir, r.imageBatch ? { imageBatch: r.imageBatch } : {});
  try {
    const spec = { resolution, crop: r.crop, flip: r.flip, seed: r.seed ?? 0 } as const;
    const s = await prepareDataset(ws, r.datasetId, { spec, latentEncoder: encoders.latent, captionEncoders: [encoders.caption], storePixels: r.pixels ?? false, ...(r.verify ? { verify: r.verify } : {}) }, job);
    const longCaptions = recordCaptionTokens(ws, r.datasetId, (c) => encoders.caption.countTokens(c), encoders.caption.window);
    return {
      longCaptions,
      items: s.items, resolution, written: { ...s.written }, reused: { ...s.reused }, stale: s.stale, repaired: s.repaired, leftoversRemoved: s.leftoversRemoved,
      latentModel: encoders.latent.modelId, textModel: encoders.caption.outputs['text-states'], promptEncoder: encoders.promptEncoder, truncatedCaptions: encoders.caption.truncated,
    };
  } finally {
    await encoders.dispose();
  }
}
