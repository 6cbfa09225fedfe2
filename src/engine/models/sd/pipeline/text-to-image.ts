// The one text-to-image path `aptp generate` and the studio share: open a model (folder or single
// file) with its tokenizer (refused with what to do when a single file has none; the flavour chosen),
// the text length from that tokenizer checked against the text encoder, the sampler the scheduler
// config names unless one is chosen, the guided denoising loop, decoding to RGB and PNG bytes.
// Sessions stay open between generations until dispose().
import { EngineError } from '../../../core/errors';
import type { JobContext } from '../../../jobs/job';
import { openModel, type OpenModelOptions, type SdModel } from '../loader';
import { checkGenerationMemory } from './memory-estimate';
import { createSampler, samplerForClassName, type Sampler, type SamplerKind } from '../schedulers';
import { loadClipTokenizer, type ClipTokenizer, type TokenizerFlavor } from '../tokenizer';
import { OnnxComponents, componentSpec } from './components';
import { decodeImages, generateLatents } from './generate';
import { imageGeometry, latentSize, type ImageGeometry } from './geometry';

export interface TextToImageOptions extends OpenModelOptions {
  /** 'tokenizers' (transformers >= 5, the default) or 'slow' (transformers 4's slow CLIPTokenizer). */
  readonly tokenizerFlavor?: TokenizerFlavor;
}

export interface TextToImageRequest {
  readonly prompts: readonly string[];
  readonly negativePrompt?: string | readonly string[] | undefined;
  readonly imagesPerPrompt?: number;
  readonly steps: number;
  readonly guidance: number;
  readonly seed: number;
  /** Pixels; default the model's native size. */
  readonly width?: number | undefined;
  readonly height?: number | undefined;
  /** Default: the sampler scheduler_config.json names. */
  readonly sampler?: SamplerKind | undefined;
}

export interface TextToImageResult {
  /** Interleaved RGB bytes, one buffer per image. */
  readonly images: readonly Uint8Array[];
  readonly width: number;
  readonly height: number;
  readonly sampler: SamplerKind;
}

/** The progress detail reported once the denoising steps are done and decoding starts. */
export const DECODING_DETAIL = 'decoding the image';

/** Why a model without tokenizer files cannot generate, and what to do. */
export function noTokenizerMessage(path: string): string {
  return `${path} is a single-file checkpoint, which carries no tokenizer; choose a tokenizer folder (vocab.json + merges.txt, e.g. the tokenizer/ folder of a diffusers model of the same family) to generate.`;
}

export class TextToImage {
  readonly geometry: ImageGeometry;

  private constructor(
    readonly model: SdModel,
    readonly tokenizer: ClipTokenizer,
    private readonly components: OnnxComponents,
  ) {
    this.geometry = imageGeometry(model);
  }

  /** Opens `path` (headers and JSON only; sessions are built on the first generation). */
  static async open(path: string, options: TextToImageOptions = {}): Promise<TextToImage> {
    const { tokenizerFlavor, ...open } = options;
    const model = await openModel(path, open);
    if (model.tokenizer === null) throw new EngineError('invalid-argument', noTokenizerMessage(path), { path, needs: 'tokenizer' });
    const tokenizer = loadClipTokenizer(model.tokenizer, tokenizerFlavor ?? 'tokenizers');
    return new TextToImage(model, tokenizer, new OnnxComponents(componentSpec(model, tokenizer.maxLength)));
  }

  /** The sampler `kind` (default: the scheduler config's class) for `steps` steps. */
  sampler(kind: SamplerKind | undefined, steps: number): { readonly kind: SamplerKind; readonly sampler: Sampler } {
    const chosen = kind ?? samplerForClassName(this.model.scheduler._class_name);
    return { kind: chosen, sampler: createSampler(chosen, this.model.scheduler, steps) };
  }

  /** Generates and decodes; progress per denoising step, cancel between steps through `ctx`. */
  async generate(r: TextToImageRequest, ctx: JobContext): Promise<TextToImageResult> {
    const width = r.width ?? this.geometry.width;
    const height = r.height ?? this.geometry.height;
    const latent = latentSize(this.geometry, width, height);
    const images = r.prompts.length * (r.imagesPerPrompt ?? 1);
    checkGenerationMemory(this.model.unet, this.geometry, { width, height, ...latent }, images * (r.guidance > 1 ? 2 : 1), images);
    const { kind, sampler } = this.sampler(r.sampler, r.steps);
    const request = { prompts: r.prompts, negativePrompt: r.negativePrompt, guidance: r.guidance, width, height, seed: r.seed, imagesPerPrompt: r.imagesPerPrompt ?? 1 };
    const latents = await generateLatents(this.components, this.tokenizer, sampler, request, ctx);
    const total = sampler.timesteps.length;
    ctx.progress({ done: total, total, detail: DECODING_DETAIL });
    return { images: await decodeImages(this.components, latents), width, height, sampler: kind };
  }

  dispose(): Promise<void> {
    return this.components.dispose();
  }
}
