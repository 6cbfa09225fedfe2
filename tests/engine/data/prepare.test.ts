// Preparation: shorter-side resize, center / seeded random crops, flips, the [-1, 1] model input,
// and the prepared cache's keys: a new latent model recomputes only latents, a new resolution only
// pixels and latents, and caption states survive both. The encoders here are small real
// computations (8x8 mean pooling, byte counts) standing in for the VAE and text encoder.
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../src/engine/data/import-dataset';
import { decodeNpy, encodeNpy } from '../../../src/engine/data/npy';
import { prepareDataset, type CaptionEncoder, type LatentEncoder } from '../../../src/engine/data/prepare-dataset';
import { cacheKey, PreparedCache } from '../../../src/engine/data/prepared-cache';
import { prepareImage, toModelInput, type PrepareSpec } from '../../../src/engine/data/prepare-image';
import { DatasetReportRepository } from '../../../src/engine/store/repositories/datasets-report';
import { openWorkspace, type Workspace } from '../../../src/engine/store/workspace';
import { tempDir } from '../store/helpers';
import { put } from './fixtures';

const HASH = 'ab'.repeat(32);
const temp = tempDir('aptp-data-prepare-');
let ws: Workspace;
const job = { signal: new AbortController().signal, progress: () => {} };

/** 400x300: left half red, right half blue. */
const halves = () =>
  sharp({ create: { width: 200, height: 300, channels: 3, background: { r: 255, g: 0, b: 0 } } })
    .extend({ right: 200, background: { r: 0, g: 0, b: 255 } })
    .png()
    .toBuffer();

const spec = (over: Partial<PrepareSpec> = {}): PrepareSpec => ({ resolution: 64, crop: 'center', flip: false, seed: 0, ...over });
const pixel = (p: Uint8Array, r: number, x: number, y: number) => Array.from(p.subarray((y * r + x) * 3, (y * r + x) * 3 + 3));

function pool(input: Float32Array, r: number): Float32Array {
  const s = r / 8;
  const out = new Float32Array(3 * s * s);
  for (let c = 0; c < 3; c++)
    for (let i = 0; i < r * r; i++) out[c * s * s + Math.floor(i / r / 8) * s + Math.floor((i % r) / 8)]! += input[c * r * r + i]! / 64;
  return out;
}

function poolEncoder(modelId: string): LatentEncoder {
  return {
    modelId,
    batchSize: 3,
    async encodeBatch(inputs, r) {
      return inputs.map((input) => ({ dtype: 'float32', shape: [3, r / 8, r / 8], data: pool(input, r) }));
    },
  };
}

const byteCounter: CaptionEncoder = {
  outputs: { 'text-states': 'bytes-v1' },
  batchSize: 1,
  async encodeBatch(captions) {
    return captions.map((caption) => {
      const counts = new Float32Array(256);
      for (const b of Buffer.from(caption)) counts[b]!++;
      return { 'text-states': { dtype: 'float32', shape: [1, 256], data: counts } };
    });
  },
};

beforeAll(() => {
  ws = openWorkspace(join(temp.dir, 'workspace'));
});
afterAll(() => {
  ws.close();
  temp.cleanup();
});

describe('prepareImage', () => {
  it('resizes the shorter side and crops the center', async () => {
    const p = await prepareImage(await halves(), HASH, spec());
    expect(p.pixels.length).toBe(64 * 64 * 3);
    expect([p.left, p.top]).toEqual([10, 0]);
    expect(pixel(p.pixels, 64, 2, 32)).toEqual([255, 0, 0]);
    expect(pixel(p.pixels, 64, 61, 32)).toEqual([0, 0, 255]);
  });

  it('flips horizontally', async () => {
    const p = await prepareImage(await halves(), HASH, spec({ flip: true }));
    expect(pixel(p.pixels, 64, 2, 32)).toEqual([0, 0, 255]);
  });

  it('crops randomly along the longer side only, the same way for the same seed and image', async () => {
    const offsets = await Promise.all([1, 2, 3, 4, 5, 6].map(async (seed) => (await prepareImage(await halves(), HASH, spec({ crop: 'random', seed }))).left));
    expect(offsets.every((x) => x >= 0 && x <= 21)).toBe(true);
    expect(new Set(offsets).size).toBeGreaterThan(1);
    const again = await prepareImage(await halves(), HASH, spec({ crop: 'random', seed: 3 }));
    expect(again.left).toBe(offsets[2]);
    expect(again.top).toBe(0);
  });

  it('gives the VAE float32 CHW in [-1, 1]', async () => {
    const x = toModelInput(await prepareImage(await halves(), HASH, spec()));
    expect(x.length).toBe(3 * 64 * 64);
    expect([x[32 * 64 + 2], x[4096 + 32 * 64 + 2], x[8192 + 32 * 64 + 2]]).toEqual([1, -1, -1]);
  });

  it('round-trips .npy tensors', () => {
    const t = decodeNpy(encodeNpy({ dtype: 'float32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }));
    expect(t).toMatchObject({ dtype: 'float32', shape: [2, 3] });
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('prepareDataset and the prepared cache', () => {
  let datasetId: string;
  beforeAll(async () => {
    const root = join(temp.dir, 'data');
    put(root, 'a.png', await halves());
    put(root, 'a.txt', 'red and blue');
    put(root, 'b.jpg', await sharp({ create: { width: 300, height: 300, channels: 3, background: { r: 9, g: 200, b: 9 } } }).jpeg().toBuffer());
    put(root, 'b.txt', 'green');
    datasetId = (await importDataset(ws, { path: root }, {}, job)).datasetId;
  });

  it('computes once, then reuses', async () => {
    const o = { spec: spec(), latentEncoder: poolEncoder('pool-a'), captionEncoders: [byteCounter], storePixels: true };
    expect(await prepareDataset(ws, datasetId, o, job)).toMatchObject({ items: 2, written: { pixels: 2, latent: 2, 'text-states': 2 }, reused: {} });
    expect(await prepareDataset(ws, datasetId, o, job)).toMatchObject({ written: {}, reused: { pixels: 2, latent: 2, 'text-states': 2 } });
  });

  it('stores latents equal to the encoder applied to the prepared pixels', async () => {
    const cache = new PreparedCache(ws);
    const [hash] = new DatasetReportRepository(ws.db).contentHashes(datasetId, [1]).values();
    const stored = await cache.read(cacheKey('latent', hash!, 'pool-a', 64, 'center'));
    const pixels = await cache.read(cacheKey('pixels', hash!, 'ignored', 64, 'center'));
    expect(stored?.shape).toEqual([3, 8, 8]);
    const expected = pool(toModelInput({ pixels: pixels!.data as Uint8Array, resolution: 64, left: 0, top: 0 }), 64);
    expect(Array.from(stored!.data)).toEqual(Array.from(expected));
  });

  it('a new VAE recomputes latents only; a new resolution pixels and latents; captions survive both', async () => {
    const base = { captionEncoders: [byteCounter], storePixels: true };
    expect(await prepareDataset(ws, datasetId, { ...base, spec: spec(), latentEncoder: poolEncoder('pool-b') }, job)).toMatchObject({
      written: { latent: 2 }, reused: { pixels: 2, 'text-states': 2 },
    });
    expect(await prepareDataset(ws, datasetId, { ...base, spec: spec({ resolution: 96 }), latentEncoder: poolEncoder('pool-b') }, job)).toMatchObject({
      written: { pixels: 2, latent: 2 }, reused: { 'text-states': 2 },
    });
    expect(await prepareDataset(ws, datasetId, { ...base, spec: spec({ flip: true }), latentEncoder: poolEncoder('pool-b') }, job)).toMatchObject({
      written: { pixels: 2, latent: 2 },
    });
  });

  it('prunes what the current model and resolution cannot use, files included', async () => {
    const cache = new PreparedCache(ws);
    const before = cache.index.count('latent');
    expect(await cache.prune('latent', 'pool-b', 96)).toBe(before - 2);
    expect(cache.index.count('latent')).toBe(2);
    expect(await cache.prune('text-states', 'bytes-v1', 512)).toBe(0);
  });
});
