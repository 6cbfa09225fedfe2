// Text-to-image for the studio over the shared TextToImage path: one generation at a time (each waits for the one before, so two
// never hold a model's sessions twice over), the last model's loaded sessions kept for the next
// request with the same model and open options (prediction type, tokenizer, config overrides),
// progress per denoising step and cancel between steps through the JobContext, and the image
// returned as PNG bytes (generation-history.ts keeps it in the workspace and sends it on).
import type { ModelOpenOptions, SamplerKindName } from '../../shared/studio-model';
import { throwIfCancelled, type JobContext } from '../jobs/job';
import { EngineError } from '../core/errors';
import { TextToImage, encodePng } from '../models/sd/pipeline';
import { openWithChecks } from './model-inspect';

export interface GenerationRequest extends ModelOpenOptions {
  readonly dir: string;
  readonly prompt: string;
  readonly negativePrompt: string;
  readonly seed: number;
  readonly steps: number;
  readonly guidance: number;
  readonly width: number;
  readonly height: number;
  readonly scheduler?: SamplerKindName | undefined;
}

/** One image made: its PNG bytes (no text chunks yet) and what made it. */
export interface MadeImage {
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
  readonly sampler: SamplerKindName;
  readonly elapsedMs: number;
}

interface LoadedModel {
  readonly dir: string;
  /** The folder or file and the options it was opened with: other options open it anew. */
  readonly key: string;
  readonly pipeline: TextToImage;
}

function sessionKey(r: GenerationRequest): string {
  return JSON.stringify([r.dir, r.predictionType ?? null, r.tokenizer ?? null, r.configs ?? null]);
}

async function loadModel(r: GenerationRequest, key: string): Promise<LoadedModel> {
  const { dir, predictionType, tokenizer, configs } = r;
  return { dir, key, pipeline: await openWithChecks(dir, { predictionType, tokenizer, configs }, (path, options) => TextToImage.open(path, options)) };
}

export class ModelGenerator {
  #loaded: LoadedModel | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  /** Generates one image; waits for any generation already running. */
  generate(request: GenerationRequest, ctx: JobContext): Promise<MadeImage> {
    const run = this.#queue.then(() => this.#generate(request, ctx));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Drops the kept sessions of `dir` (after any running generation), so its files are read again. */
  release(dir: string): Promise<void> {
    const run = this.#queue.then(() => (this.#loaded?.dir === dir ? this.#unload() : undefined));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Frees the kept sessions (after any running generation). */
  dispose(): Promise<void> {
    const run = this.#queue.then(() => this.#unload());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #unload(): Promise<void> {
    const loaded = this.#loaded;
    this.#loaded = undefined;
    await loaded?.pipeline.dispose();
  }

  async #load(r: GenerationRequest): Promise<LoadedModel> {
    const key = sessionKey(r);
    if (this.#loaded?.key === key) return this.#loaded;
    await this.#unload();
    this.#loaded = await loadModel(r, key);
    return this.#loaded;
  }

  async #generate(r: GenerationRequest, ctx: JobContext): Promise<MadeImage> {
    throwIfCancelled(ctx.signal);
    ctx.progress({ done: 0, total: r.steps, detail: 'loading the model' });
    const started = performance.now();
    const { pipeline } = await this.#load(r);
    const request = { prompts: [r.prompt], negativePrompt: r.negativePrompt, guidance: r.guidance, width: r.width, height: r.height, seed: r.seed, steps: r.steps, sampler: r.scheduler };
    const result = await pipeline.generate(request, ctx);
    const [rgb] = result.images;
    if (!rgb) throw new EngineError('runtime-failure', 'The VAE decoded no image.', {});
    const png = await encodePng(rgb, result.width, result.height);
    const elapsedMs = performance.now() - started;
    return { png, width: result.width, height: result.height, sampler: result.sampler, elapsedMs };
  }
}
