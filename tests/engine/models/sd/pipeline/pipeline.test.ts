// Generation pipeline tests. The loop against a recording implementation of the component interface
// (batching [uncond; cond], guidance arithmetic, init_noise_sigma, progress, cancel, bad requests),
// then end to end on the real engine components (H5's loader and tokenizer, H6's UNet / CLIP / VAE
// graphs on onnxruntime) over a tiny diffusers folder: deterministic seeds, PNG files of the asked size.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobContext, JobProgress } from '../../../../../src/engine/jobs/job';
import { openDiffusersFolder } from '../../../../../src/engine/models/sd/loader';
import { OnnxComponents, componentSpec, decodeImages, generateLatents, writePngs, type DiffusionComponents } from '../../../../../src/engine/models/sd/pipeline';
import { createSampler } from '../../../../../src/engine/models/sd/schedulers';
import { loadClipTokenizer } from '../../../../../src/engine/models/sd/tokenizer';
import { writeTinyFolder } from '../loader/tiny-folder';

const SD1 = { beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', steps_offset: 1, skip_prk_steps: true };
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function context(onProgress: (p: JobProgress) => void = () => undefined, controller = new AbortController()): JobContext {
  return { signal: controller.signal, progress: onProgress };
}

/** Records calls; the "UNet" predicts 0.1 * x + (states mean of its row), so cond and uncond differ. */
class Recorder implements DiffusionComponents {
  readonly geometry = { channels: 4, vaeScale: 8, latentMultiple: 2, textLength: 77, textWidth: 2 };
  readonly calls: { batch: number; timestep: number; input: Float32Array }[] = [];
  encoded: bigint[][] = [];

  encodeText(ids: BigInt64Array, batch: number): Promise<Float32Array> {
    this.encoded = Array.from({ length: batch }, (_, n) => Array.from(ids.subarray(n * 77, (n + 1) * 77)));
    const out = new Float32Array(batch * 77 * 2);
    for (let n = 0; n < batch; n++) out.fill(Number(ids[n * 77 + 1]), n * 154, (n + 1) * 154);
    return Promise.resolve(out);
  }

  predict(latents: Float32Array, timestep: number, states: Float32Array, batch: number): Promise<Float32Array> {
    this.calls.push({ batch, timestep, input: latents });
    const per = latents.length / batch;
    return Promise.resolve(latents.map((v, i) => 0.1 * v + (states[Math.floor(i / per) * 154] as number) * 0.01));
  }

  decode(latents: Float32Array, batch: number, h: number, w: number): Promise<Float32Array> {
    return Promise.resolve(new Float32Array(batch * 3 * h * 8 * w * 8).fill(0.5));
  }

  dispose(): Promise<void> {
    return Promise.resolve();
  }
}

describe('generation loop', () => {
  const folder = mkdtempSync(join(tmpdir(), 'aptp-pipe-'));
  dirs.push(folder);

  it('batches [uncond; cond] in one UNet call per step and applies u + g (c - u)', async () => {
    const dir = await writeTinyFolder(join(folder, 'loop'));
    const tok = loadClipTokenizer(join(dir, 'tokenizer'));
    const rec = new Recorder();
    const sampler = createSampler('euler', SD1, 3);
    const events: JobProgress[] = [];
    const r = await generateLatents(rec, tok, sampler, { prompts: ['a'], negativePrompt: '!', guidance: 3, width: 16, height: 16, seed: 7 }, context((p) => events.push(p)));
    expect(rec.calls.map((c) => c.batch)).toEqual([2, 2, 2]);
    expect(rec.encoded.map((ids) => ids[1])).toEqual([BigInt(tok.encode('!').ids[1] ?? -1), BigInt(tok.encode('a').ids[1] ?? -1)]);
    expect(events.map((e) => e.done)).toEqual([1, 2, 3]);
    expect(r.latents.length).toBe(4 * 2 * 2);
    // Euler scales the model input by 1/sqrt(sigma^2 + 1) and starts from N(0,1) * init_noise_sigma
    const first = rec.calls[0]?.input as Float32Array;
    expect(first.subarray(0, 16)).toEqual(first.subarray(16));
    const again = await generateLatents(new Recorder(), tok, createSampler('euler', SD1, 3), { prompts: ['a'], negativePrompt: '!', guidance: 3, width: 16, height: 16, seed: 7 }, context());
    expect(again.latents).toEqual(r.latents);
    const unguided = await generateLatents(new Recorder(), tok, createSampler('euler', SD1, 3), { prompts: ['a'], guidance: 1, width: 16, height: 16, seed: 7 }, context());
    expect(unguided.latents).not.toEqual(r.latents);
  });

  it('runs one image per prompt per --batch and without guidance calls the UNet on the cond batch only', async () => {
    const tok = loadClipTokenizer(join(await writeTinyFolder(join(folder, 'batch')), 'tokenizer'));
    const rec = new Recorder();
    const r = await generateLatents(rec, tok, createSampler('ddim', SD1, 2), { prompts: ['a', '!'], imagesPerPrompt: 2, guidance: 1, width: 16, height: 32, seed: 1 }, context());
    expect(r.images).toBe(4);
    expect(rec.calls.map((c) => c.batch)).toEqual([4, 4]);
    expect([r.latentHeight, r.latentWidth]).toEqual([4, 2]);
  });

  it('stops between steps when cancelled and refuses bad requests with actionable messages', async () => {
    const tok = loadClipTokenizer(join(await writeTinyFolder(join(folder, 'cancel')), 'tokenizer'));
    const controller = new AbortController();
    const rec = new Recorder();
    const run = generateLatents(rec, tok, createSampler('pndm', SD1, 10), { prompts: ['a'], guidance: 7.5, width: 16, height: 16 }, context((p) => p.done === 2 && controller.abort(), controller));
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(rec.calls.length).toBe(2);
    const bad = (req: object): Promise<unknown> => generateLatents(new Recorder(), tok, createSampler('ddim', SD1, 2), { prompts: ['a'], guidance: 7.5, width: 16, height: 16, ...req }, context());
    await expect(bad({ width: 20 })).rejects.toThrow(/width must be a multiple of 16 pixels .*got 20, nearest: 16 or 32/);
    await expect(bad({ prompts: [] })).rejects.toThrow(/at least one prompt/);
    await expect(bad({ negativePrompt: ['x', 'y'] })).rejects.toThrow(/one negative prompt, or one per prompt/);
    await expect(bad({ latents: new Float32Array(3) })).rejects.toThrow(/Initial latents have 3 values/);
  });
});

describe('generation on the engine components', () => {
  it('generates deterministic images from a tiny diffusers folder and writes PNGs of the asked size', async () => {
    const root = mkdtempSync(join(tmpdir(), 'aptp-gen-'));
    dirs.push(root);
    const model = await openDiffusersFolder(await writeTinyFolder(join(root, 'model')));
    const tok = loadClipTokenizer(model.tokenizer ?? join(root, 'model', 'tokenizer'));
    expect(() => componentSpec(model, model.textEncoder.max_position_embeddings + 1)).toThrow(/max_position_embeddings/);
    const components = new OnnxComponents(componentSpec(model, tok.maxLength));
    try {
      const request = { prompts: ['a'], negativePrompt: '', guidance: 5, width: 16, height: 24, seed: 3, imagesPerPrompt: 2 };
      const a = await generateLatents(components, tok, createSampler('dpmpp-2m', model.scheduler, 3), request, context());
      const b = await generateLatents(components, tok, createSampler('dpmpp-2m', model.scheduler, 3), request, context());
      const c = await generateLatents(components, tok, createSampler('dpmpp-2m', model.scheduler, 3), { ...request, seed: 4 }, context());
      expect(a.latents.every(Number.isFinite)).toBe(true);
      expect(b.latents).toEqual(a.latents);
      expect(c.latents).not.toEqual(a.latents);
      const images = await decodeImages(components, a);
      const paths = await writePngs(join(root, 'img.png'), images, 16, 24);
      expect(paths).toEqual([join(root, 'img-1.png'), join(root, 'img-2.png')]);
      const meta = await sharp(paths[0]).metadata();
      expect([meta.width, meta.height, meta.channels]).toEqual([16, 24, 3]);
    } finally {
      await components.dispose();
    }
  });
});
