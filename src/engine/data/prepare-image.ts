// Prepares one image for training at a model resolution: decode (EXIF-oriented), resize so the
// shorter side equals the resolution, crop a square (center, or a seeded random offset that is the
// same every time for the same image and seed), optionally flip horizontally. Returns RGB uint8
// HWC pixels; `toModelInput` turns them into the float32 CHW [-1, 1] a VAE encoder takes.
import sharp from 'sharp';
import { EngineError } from '../core/errors';

export type CropMode = 'center' | 'random';

export interface PrepareSpec {
  /** Square side, pixels (SD 1.x: 512). */
  readonly resolution: number;
  readonly crop: CropMode;
  readonly flip: boolean;
  /** Seed of random crops; ignored for center crops. */
  readonly seed: number;
}

export interface PreparedImage {
  readonly pixels: Uint8Array;
  readonly resolution: number;
  /** Offset of the crop in the resized image. */
  readonly left: number;
  readonly top: number;
}

/** The variant name a spec's output is cached under (`center`, `random-s7`, `center-flip`...). */
export function variantOf(spec: PrepareSpec): string {
  return `${spec.crop === 'center' ? 'center' : `random-s${spec.seed}`}${spec.flip ? '-flip' : ''}`;
}

/** A deterministic offset in [0, range] from the seed and the image's content hash. */
function seededOffset(range: number, seed: number, contentHash: string): number {
  if (range <= 0) return 0;
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < 16; i++) h = Math.imul(h ^ parseInt(contentHash.slice(i * 4, i * 4 + 4), 16), 0x85ebca6b) >>> 0;
  return h % (range + 1);
}

export async function prepareImage(bytes: Uint8Array, contentHash: string, spec: PrepareSpec): Promise<PreparedImage> {
  const r = spec.resolution;
  try {
    const oriented = sharp(bytes, { failOn: 'truncated' }).rotate();
    const meta = await sharp(bytes).metadata();
    const swap = (meta.orientation ?? 1) >= 5;
    const [w, h] = swap ? [meta.height ?? 0, meta.width ?? 0] : [meta.width ?? 0, meta.height ?? 0];
    const scale = r / Math.min(w, h);
    const rw = Math.max(r, Math.round(w * scale));
    const rh = Math.max(r, Math.round(h * scale));
    const left = spec.crop === 'center' ? Math.floor((rw - r) / 2) : seededOffset(rw - r, spec.seed, contentHash);
    const top = spec.crop === 'center' ? Math.floor((rh - r) / 2) : seededOffset(rh - r, spec.seed + 1, contentHash);
    let pipeline = oriented.resize(rw, rh, { fit: 'fill', kernel: 'lanczos3' }).extract({ left, top, width: r, height: r });
    if (spec.flip) pipeline = pipeline.flop();
    const { data, info } = await pipeline.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== r || info.height !== r) throw new Error(`got ${info.width}x${info.height}x${info.channels}`);
    return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), resolution: r, left, top };
  } catch (error) {
    throw new EngineError('corrupt-file', `Cannot prepare image ${contentHash.slice(0, 12)} at ${r}px: ${(error as Error).message}. Re-import the dataset to re-validate it.`, { contentHash, resolution: r }, { cause: error });
  }
}

/** RGB uint8 HWC -> float32 CHW in [-1, 1] (the VAE's input convention). */
export function toModelInput(image: PreparedImage): Float32Array {
  const n = image.resolution * image.resolution;
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) out[c * n + i] = image.pixels[i * 3 + c]! / 127.5 - 1;
  }
  return out;
}
