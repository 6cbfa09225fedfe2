// Text-to-image generation as diffusers' StableDiffusionPipeline runs it: prompts (and negative
// prompts, "" by default) tokenized to the model's text length (77 for SD) and encoded, initial latents N(0,1) from our seeded RNG
// (or given, for oracle checks) times the sampler's init_noise_sigma, then per timestep one UNet call
// on [uncond; cond] (classifier-free guidance, when guidance > 1), the guided prediction
// u + g (c - u), and a sampler step; finally the VAE decodes latents / scaling_factor.
import { EngineError } from '../../../core/errors';
import { throwIfCancelled, type JobContext } from '../../../jobs/job';
import { Random } from '../../../train/random';
import type { Sampler } from '../schedulers';
import { f32 } from '../schedulers/schedule';
import type { ClipTokenizer } from '../tokenizer';
import type { DiffusionComponents } from './components';
import { latentSize } from './geometry';

export interface GenerateRequest {
  readonly prompts: readonly string[];
  /** One for all prompts, or one per prompt; default "" (the unconditional prompt). */
  readonly negativePrompt?: string | readonly string[];
  readonly guidance: number;
  readonly width: number;
  readonly height: number;
  /** Images per prompt (default 1). */
  readonly imagesPerPrompt?: number;
  /** Seed of the initial noise (ignored when `latents` is given). */
  readonly seed?: number;
  /** Explicit initial latents [images, C, h, w] before init_noise_sigma scaling (as diffusers' `latents=`). */
  readonly latents?: Float32Array;
}

export interface GenerateResult {
  readonly images: number;
  readonly latentHeight: number;
  readonly latentWidth: number;
  /** Final latents [images, C, h, w] (diffusers' output_type='latent'). */
  readonly latents: Float32Array;
}

interface Plan {
  readonly images: number;
  readonly h: number;
  readonly w: number;
  readonly cfg: boolean;
}

function fail(message: string, details: Record<string, unknown>): never {
  throw new EngineError('invalid-argument', message, details);
}

function plan(c: DiffusionComponents, r: GenerateRequest): Plan {
  const g = c.geometry;
  if (r.prompts.length === 0) fail('Give at least one prompt.', {});
  const perPrompt = r.imagesPerPrompt ?? 1;
  if (!Number.isInteger(perPrompt) || perPrompt < 1) fail(`Images per prompt must be a positive integer (got ${perPrompt}).`, { perPrompt });
  const { latentWidth, latentHeight } = latentSize(g, r.width, r.height);
  if (!(r.guidance >= 0) || !Number.isFinite(r.guidance)) fail(`The guidance scale must be a number >= 0 (got ${r.guidance}); 7.5 is usual.`, { guidance: r.guidance });
  const negatives = typeof r.negativePrompt === 'string' || r.negativePrompt === undefined ? null : r.negativePrompt;
  if (negatives && negatives.length !== r.prompts.length) fail(`Give one negative prompt, or one per prompt (${r.prompts.length}); got ${negatives.length}.`, {});
  return { images: r.prompts.length * perPrompt, h: latentHeight, w: latentWidth, cfg: r.guidance > 1 };
}

/** Text states for the UNet: [uncond x images; cond x images] with guidance, else cond only. */
async function encodePrompts(c: DiffusionComponents, tok: ClipTokenizer, r: GenerateRequest, p: Plan): Promise<Float32Array> {
  const perPrompt = r.imagesPerPrompt ?? 1;
  const repeat = (list: readonly string[]): string[] => list.flatMap((s) => Array.from({ length: perPrompt }, () => s));
  const cond = repeat(r.prompts);
  const neg = typeof r.negativePrompt === 'string' || r.negativePrompt === undefined ? r.prompts.map(() => (r.negativePrompt as string | undefined) ?? '') : r.negativePrompt;
  const texts = p.cfg ? [...repeat(neg), ...cond] : cond;
  return c.encodeText(tok.encodeBatch(texts), texts.length);
}

/** The initial latents: given ones (checked) or N(0, 1) from the seed, times init_noise_sigma. */
export function initialLatents(count: number, sigma: number, r: Pick<GenerateRequest, 'seed' | 'latents'>): Float32Array {
  if (r.latents) {
    if (r.latents.length !== count) throw new EngineError('shape-mismatch', `Initial latents have ${r.latents.length} values; this request needs ${count}.`, {});
    return r.latents.map((v) => f32(v * sigma));
  }
  const seed = r.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0) fail(`The seed must be a non-negative integer (got ${seed}).`, { seed });
  const rand = new Random(seed);
  return Float32Array.from({ length: count }, () => f32(rand.normal() * sigma));
}

/** u + g (c - u) over the two halves of a [uncond; cond] prediction, in float32 as diffusers does. */
function guide(pred: Float32Array, guidance: number): Float32Array {
  const half = pred.length / 2;
  const g = f32(guidance);
  return Float32Array.from({ length: half }, (_, i) => {
    const u = pred[i] as number;
    return f32(u + f32(g * f32((pred[half + i] as number) - u)));
  });
}

function twice(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length * 2);
  out.set(x, 0);
  out.set(x, x.length);
  return out;
}

/** Runs the denoising loop; reports one progress event per step and stops between steps on cancel. */
export async function generateLatents(c: DiffusionComponents, tok: ClipTokenizer, sampler: Sampler, r: GenerateRequest, ctx: JobContext): Promise<GenerateResult> {
  const p = plan(c, r);
  const states = await encodePrompts(c, tok, r, p);
  const count = p.images * c.geometry.channels * p.h * p.w;
  let x = initialLatents(count, sampler.initNoiseSigma, r);
  const total = sampler.timesteps.length;
  for (let i = 0; i < total; i++) {
    throwIfCancelled(ctx.signal);
    const t = sampler.timesteps[i] as number;
    const input = sampler.scaleModelInput(p.cfg ? twice(x) : x, i);
    const pred = await c.predict(input, t, states, p.cfg ? 2 * p.images : p.images, p.h, p.w);
    x = sampler.step(p.cfg ? guide(pred, r.guidance) : pred, i, x);
    ctx.progress({ done: i + 1, total, detail: `step ${i + 1}/${total} (t=${Math.round(t)})` });
  }
  throwIfCancelled(ctx.signal);
  return { images: p.images, latentHeight: p.h, latentWidth: p.w, latents: x };
}

/** Decoded images as interleaved RGB bytes, one buffer per image (diffusers' postprocess: round(255 (x/2 + 0.5)) clamped). */
export async function decodeImages(c: DiffusionComponents, result: GenerateResult): Promise<Uint8Array[]> {
  const { images, latentHeight: h, latentWidth: w } = result;
  const pixels = await c.decode(result.latents, images, h, w);
  return imagesToRgb(pixels, images, h * c.geometry.vaeScale, w * c.geometry.vaeScale);
}

/** A VAE decoder's images [images, 3, H, W] (roughly in [-1, 1]) as interleaved RGB bytes, as diffusers' postprocess. */
export function imagesToRgb(pixels: Float32Array, images: number, H: number, W: number): Uint8Array[] {
  const plane = H * W;
  return Array.from({ length: images }, (_, n) => {
    const rgb = new Uint8Array(plane * 3);
    for (let ch = 0; ch < 3; ch++) {
      const base = (n * 3 + ch) * plane;
      for (let k = 0; k < plane; k++) {
        const v = Math.min(1, Math.max(0, f32(f32((pixels[base + k] as number) / 2) + 0.5)));
        rgb[k * 3 + ch] = Math.round(v * 255);
      }
    }
    return rgb;
  });
}
