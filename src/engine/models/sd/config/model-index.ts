// model_index.json: the pipeline class and, per component, the [library, class] pair diffusers
// saved. Tells a supported SD 1.x/2.x text-to-image pipeline from SDXL, SD3, Flux and others before
// any weight is touched, so the user learns what the folder is and what is supported.
import { z } from 'zod';
import { EngineError } from '../../../core/errors';
import { type ConfigOrigin, type DeepReadonly, parseWith } from './parse';

/** [library, class] as diffusers writes it; [null, null] for an absent optional component. */
const componentEntry = z.tuple([z.string().nullable(), z.string().nullable()]);

export const modelIndexSchema = z.looseObject({
  _class_name: z.string(),
  _diffusers_version: z.string().optional(),
  unet: componentEntry.optional(),
  text_encoder: componentEntry.optional(),
  tokenizer: componentEntry.optional(),
  vae: componentEntry.optional(),
  scheduler: componentEntry.optional(),
  safety_checker: componentEntry.nullable().optional(),
  feature_extractor: componentEntry.nullable().optional(),
  requires_safety_checker: z.boolean().optional(),
});

export type ModelIndex = DeepReadonly<z.output<typeof modelIndexSchema>>;

/** Pipelines that hold an SD 1.x/2.x UNet + CLIP text encoder + AutoencoderKL. */
export const SUPPORTED_PIPELINES = ['StableDiffusionPipeline', 'StableDiffusionImg2ImgPipeline'] as const;

/** The components a text-to-image SD pipeline needs, in the order they are loaded. */
export const REQUIRED_COMPONENTS = ['unet', 'text_encoder', 'tokenizer', 'vae', 'scheduler'] as const;
export type SdComponent = (typeof REQUIRED_COMPONENTS)[number];

const KNOWN_FAMILIES: readonly (readonly [RegExp, string])[] = [
  [/XL/, 'an SDXL pipeline'],
  [/Inpaint/, 'an inpainting pipeline (9-channel UNet)'],
  [/^StableDiffusion3/, 'a Stable Diffusion 3 pipeline (MMDiT transformer)'],
  [/^Flux/, 'a Flux pipeline (transformer)'],
  [/^StableCascade|^Wuerstchen/, 'a Stable Cascade / Wuerstchen pipeline'],
  [/^Kandinsky/, 'a Kandinsky pipeline'],
  [/^IF/, 'a DeepFloyd IF pipeline'],
  [/^PixArt|^Sana|^Lumina|^HunyuanDiT|^AuraFlow|^CogView|^QwenImage/, 'a diffusion-transformer pipeline'],
  [/^StableDiffusionUpscale|^StableDiffusionLatentUpscale/, 'an SD upscaler pipeline'],
  [/^StableUnCLIP/, 'a Stable unCLIP pipeline'],
  [/^StableVideo|Video/, 'a video pipeline'],
];

export function unsupportedPipeline(index: ModelIndex): string | null {
  const name = index._class_name;
  if ((SUPPORTED_PIPELINES as readonly string[]).includes(name)) {
    if ('transformer' in index) return `${name} with a 'transformer' component`;
    if ('text_encoder_2' in index) return `${name} with a second text encoder (SDXL style)`;
    return null;
  }
  const family = KNOWN_FAMILIES.find(([pattern]) => pattern.test(name));
  return family ? `this is ${family[1]} (${name})` : `this is a ${name}`;
}

/** Parses model_index.json, refuses unsupported pipelines and checks the needed components are listed. */
export function parseModelIndex(json: unknown, origin: ConfigOrigin): ModelIndex {
  const index = parseWith(modelIndexSchema, json, origin);
  const why = unsupportedPipeline(index);
  if (why !== null) throw new EngineError('unsupported-model', `${origin.file}: ${why}; supported: SD 1.x and SD 2.x (StableDiffusionPipeline folders).`, { file: origin.file, component: origin.component, reason: why, pipeline: index._class_name });
  const missing = REQUIRED_COMPONENTS.filter((c) => !index[c] || index[c][1] === null);
  if (missing.length > 0) {
    throw new EngineError('corrupt-file', `${origin.file} lists no ${missing.join(', ')}; a text-to-image SD folder needs unet, text_encoder, tokenizer, vae and scheduler. Re-save it with save_pretrained.`, { file: origin.file, component: origin.component, missing });
  }
  return index;
}
