// The SD model's own encoders in the preparation cache, on a tiny random diffusers folder (the
// loader tests' writer): cached latent distributions and text states equal direct runs of the VAE
// encoder and CLIP graphs, batches are padded and split back right, a new resolution re-encodes
// only latents, a new text encoder only caption states, and a cancelled preparation resumes.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../src/engine/data/import-dataset';
import { textEncoderId } from '../../../src/engine/data/model-id';
import { prepareDataset, type PrepareOptions } from '../../../src/engine/data/prepare-dataset';
import { captionHash, cacheKey, PreparedCache } from '../../../src/engine/data/prepared-cache';
import { toModelInput } from '../../../src/engine/data/prepare-image';
import { openSdEncoders, sampleLatent, type SdEncoders } from '../../../src/engine/data/sd-encoders';
import type { JobContext } from '../../../src/engine/jobs/job';
import { buildClipTextEncoder, CLIP_INPUT, CLIP_OUTPUTS } from '../../../src/engine/models/sd/clip';
import { openDiffusersFolder, type SdModel } from '../../../src/engine/models/sd/loader';
import { loadClipTokenizer } from '../../../src/engine/models/sd/tokenizer';
import { buildVaeEncoder, VAE_ENCODER_IO } from '../../../src/engine/models/sd/vae';
import type { Graph } from '../../../src/engine/ir';
import { writeModel } from '../../../src/engine/onnx';
import { hostTensor, loadSession, type Feeds } from '../../../src/engine/runtime';
import { DatasetReportRepository } from '../../../src/engine/store/repositories/datasets-report';
import { openWorkspace, type Workspace } from '../../../src/engine/store/workspace';
import { writeTinyFolder } from '../models/sd/loader/tiny-folder';
import { tempDir } from '../store/helpers';
import { put } from './fixtures';

const temp = tempDir('aptp-data-sd-');
const R = 32;
const CAPTIONS = ['a red fox', 'a blue bird', 'a green tree'];
let ws: Workspace;
let datasetId: string;
let modelA: string;
let modelB: string;
const open: SdEncoders[] = [];

const job = (onDone?: (done: number, c: AbortController) => void): JobContext => {
  const c = new AbortController();
  return { signal: c.signal, progress: (p) => onDone?.(p.done, c) };
};

/** A deterministic noisy w x h RGB PNG. */
function noisyPng(w: number, h: number, seed: number): Promise<Buffer> {
  const px = Buffer.alloc(w * h * 3);
  for (let i = 0; i < px.length; i++) px[i] = (i * 37 + seed * 101 + ((i * i) % 251)) % 256;
  return sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
}

async function encoders(dir: string): Promise<SdEncoders> {
  const e = await openSdEncoders(dir, { imageBatch: 2, captionBatch: 2, session: { provider: 'cpu' } });
  open.push(e);
  return e;
}

const options = (e: SdEncoders, resolution = R): PrepareOptions => ({
  spec: { resolution, crop: 'center', flip: false, seed: 0 }, latentEncoder: e.latent, captionEncoders: [e.caption], storePixels: true,
});

async function runGraph(graph: Graph, feeds: Feeds, outputs: string[]): Promise<Float32Array[]> {
  const path = join(temp.dir, `${graph.name}-${Math.random().toString(36).slice(2)}.onnx`);
  await writeModel(graph, path);
  const session = await loadSession({ path }, 'cpu');
  try {
    const out = await session.run(feeds, outputs);
    return outputs.map((n) => out[n]!.data as Float32Array);
  } finally {
    await session.dispose();
  }
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

beforeAll(async () => {
  ws = openWorkspace(join(temp.dir, 'workspace'));
  const root = join(temp.dir, 'data');
  mkdirSync(root);
  for (const [i, caption] of CAPTIONS.entries()) {
    put(root, `${i}.png`, await noisyPng(40 + 8 * i, 36, i));
    put(root, `${i}.txt`, caption);
  }
  datasetId = (await importDataset(ws, { path: root }, { limits: { minSide: 16 } }, job())).datasetId;
  modelA = await writeTinyFolder(join(temp.dir, 'model-a'));
  // The same VAE, another text encoder (every weight shifted).
  modelB = await writeTinyFolder(join(temp.dir, 'model-b'), {
    edit: (component, list) => (component !== 'text_encoder' ? list : list.map((t) => ({ ...t, data: (t.data as Float32Array).map((v) => v * 0.5 + 0.01) }))),
  });
}, 60_000);

afterAll(async () => {
  for (const e of open) await e.dispose();
  ws.close();
  temp.cleanup();
});

describe('SD encoders in the preparation cache', () => {
  let model: SdModel;
  beforeAll(async () => {
    model = await openDiffusersFolder(modelA);
  });

  it('a cancelled preparation keeps finished batches and resumes with the rest', async () => {
    const e = await encoders(modelA);
    await expect(prepareDataset(ws, datasetId, options(e), job((done, c) => done === 2 && c.abort()))).rejects.toMatchObject({ code: 'cancelled' });
    expect(new PreparedCache(ws).index.count('latent')).toBe(2);
    const summary = await prepareDataset(ws, datasetId, options(e), job());
    expect(summary).toMatchObject({ items: 3, written: { latent: 1, 'text-states': 1, 'prompt-embedding': 1 }, reused: { latent: 2, 'text-states': 2, 'prompt-embedding': 2 } });
  }, 120_000);

  it('caches the latent distribution a direct VAE encoder run gives, and its sample formula holds', async () => {
    const e = await encoders(modelA);
    const cache = new PreparedCache(ws);
    const hashes = [...new DatasetReportRepository(ws.db).contentHashes(datasetId, [1, 2, 3]).values()];
    expect(hashes).toHaveLength(3);
    const c = model.vae.latent_channels;
    const s = R / 2;
    for (const hash of hashes) {
      const stored = await cache.read(cacheKey('latent', hash, e.latent.modelId, R, 'center'));
      const pixels = await cache.read(cacheKey('pixels', hash, '', R, 'center'));
      expect(stored?.shape).toEqual([2 * c, s, s]);
      const image = toModelInput({ pixels: pixels!.data as Uint8Array, resolution: R, left: 0, top: 0 });
      const noise = Float32Array.from({ length: c * s * s }, (_, i) => Math.sin(i * 1.3));
      const graph = buildVaeEncoder(model.vae, { batch: 1, height: R, width: R, weights: model.weights.vae.provider('float32') }).graph;
      const [mean, logvar, latents] = await runGraph(graph, {
        [VAE_ENCODER_IO.image]: hostTensor('float32', [1, 3, R, R], image),
        [VAE_ENCODER_IO.noise]: hostTensor('float32', [1, c, s, s], noise),
      }, [VAE_ENCODER_IO.mean, VAE_ENCODER_IO.logvar, VAE_ENCODER_IO.latents]);
      const data = stored!.data as Float32Array;
      const per = c * s * s;
      expect(maxDiff(data.subarray(0, per), mean!)).toBeLessThan(1e-4);
      expect(maxDiff(data.subarray(per), logvar!)).toBeLessThan(1e-4);
      expect(maxDiff(sampleLatent(data, noise, model.vae.scaling_factor), latents!)).toBeLessThan(1e-3);
      expect(Math.max(...Array.from(mean!, Math.abs))).toBeGreaterThan(0);
    }
  }, 120_000);

  it('caches text states and pooled prompt embeddings a direct CLIP run gives', async () => {
    const e = await encoders(modelA);
    const cache = new PreparedCache(ws);
    const tok = loadClipTokenizer(model.tokenizer!);
    const d = model.textEncoder.hidden_size;
    expect(e.caption.outputs['text-states']).toBe(await textEncoderId(modelA));
    const graph = buildClipTextEncoder(model.textEncoder, { batch: 1, length: 77, weights: model.weights.textEncoder.provider('float32') }).graph;
    for (const caption of CAPTIONS) {
      const states = await cache.read(cacheKey('text-states', captionHash(caption), e.caption.outputs['text-states'], 0, ''));
      const pooled = await cache.read(cacheKey('prompt-embedding', captionHash(caption), e.caption.outputs['prompt-embedding'], 0, ''));
      expect([states?.shape, pooled?.shape]).toEqual([[77, d], [d]]);
      const [hidden, pool] = await runGraph(graph, { [CLIP_INPUT]: hostTensor('int64', [1, 77], tok.encodeBatch([caption])) }, [CLIP_OUTPUTS.hidden, CLIP_OUTPUTS.pooled]);
      expect(maxDiff(states!.data, hidden!)).toBeLessThan(1e-4);
      expect(maxDiff(pooled!.data, pool!)).toBeLessThan(1e-4);
    }
  }, 120_000);

  it('refuses a resolution the VAE cannot downsample evenly, naming the nearest that works', async () => {
    const e = await encoders(modelA);
    await expect(prepareDataset(ws, datasetId, options(e, 33), job())).rejects.toMatchObject({ code: 'invalid-argument', message: expect.stringMatching(/--resolution 3[24]/) });
  }, 60_000);

  it('a new resolution re-encodes only latents (and pixels); a new text encoder only caption states', async () => {
    const a = await encoders(modelA);
    const byResolution = await prepareDataset(ws, datasetId, { ...options(a, 2 * R), storePixels: false }, job());
    expect(byResolution).toMatchObject({ written: { latent: 3 }, reused: { 'text-states': 3, 'prompt-embedding': 3 } });
    expect(byResolution.written['text-states']).toBeUndefined();
    const b = await encoders(modelB);
    expect(b.latent.modelId).toBe(a.latent.modelId);
    expect(b.caption.outputs['text-states']).not.toBe(a.caption.outputs['text-states']);
    const byText = await prepareDataset(ws, datasetId, options(b), job());
    expect(byText).toMatchObject({ written: { 'text-states': 3, 'prompt-embedding': 3 }, reused: { pixels: 3, latent: 3 } });
    expect(byText.written.latent).toBeUndefined();
  }, 120_000);
});
