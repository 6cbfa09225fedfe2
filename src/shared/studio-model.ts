// The Model view's part of the StudioApi: inspect a Stable Diffusion model where the engine runs
// (architecture summary, or the loader's actionable error), and generate an image as a job whose
// result carries the PNG as a data URL (never a file path to read). Contracts only.
import { z } from 'zod';

const modelPath = z.string().min(1).max(4096);
const count = z.number().int().nonnegative();

/** The samplers the engine implements (SAMPLER_KINDS in engine/models/sd/schedulers). */
export const samplerKindSchema = z.enum(['ddim', 'pndm', 'euler', 'dpmpp-2m']);
export type SamplerKindName = z.infer<typeof samplerKindSchema>;

export const blockGatesSchema = z.object({
  block: z.string(),
  resnetGroups: count,
  attentionHeads: count,
  ffGroups: count,
  depthGates: count,
  entries: count,
});

export const modelSummarySchema = z.object({
  path: z.string(),
  source: z.enum(['diffusers-folder', 'single-file']),
  family: z.enum(['sd1', 'sd2', 'custom']),
  variant: z.string().nullable(),
  components: z.array(z.object({ name: z.string(), className: z.string(), params: count, detail: z.string() })),
  totalParams: count,
  unet: z.object({
    params: count,
    /** MACs of one UNet call at the training resolution, batch 1, all gates on. */
    macs: z.object({ total: count, prunable: count }),
    resolution: z.object({ width: count, height: count }),
    latent: z.object({ width: count, height: count }),
    widthGroups: count,
    widthEntries: count,
    depthGates: count,
    vectorLength: count,
    blocks: z.array(blockGatesSchema),
  }),
  generation: z.object({
    /** False (with the reason) when the model cannot generate here, e.g. no tokenizer files. */
    available: z.boolean(),
    reason: z.string().nullable(),
    /** The tokenizer folder in use (null: none, so a single file needs one chosen to generate). */
    tokenizer: z.string().nullable(),
    scheduler: z.string(),
    defaultSampler: samplerKindSchema.nullable(),
    predictionType: z.string(),
    /** The model's native image size in pixels, and the step sizes must be a multiple of. */
    width: count,
    height: count,
    sizeMultiple: count,
  }),
});

/** Diffusers config keys overriding what a single file's shapes imply (heads, groups): {unet, textEncoder, vae, scheduler}. */
export const configOverridesSchema = z
  .object({
    unet: z.record(z.string(), z.unknown()).optional(),
    textEncoder: z.record(z.string(), z.unknown()).optional(),
    vae: z.record(z.string(), z.unknown()).optional(),
    scheduler: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type ConfigOverrides = z.infer<typeof configOverridesSchema>;

/** What a single-file checkpoint cannot say itself; the engine opens (and keeps) a model per these. */
export const modelOpenOptionsSchema = z.object({
  /** For SD 2.x files that do not say: epsilon (2.x-base, 512 px) or v_prediction (768-v). */
  predictionType: z.enum(['epsilon', 'v_prediction']).optional(),
  /** A tokenizer folder (vocab.json + merges.txt): single files carry none. */
  tokenizer: modelPath.optional(),
  configs: configOverridesSchema.optional(),
});
export type ModelOpenOptions = z.infer<typeof modelOpenOptionsSchema>;

export const inspectModel = {
  input: z.object({ dir: modelPath }).extend(modelOpenOptionsSchema.shape).strict(),
  output: modelSummarySchema,
};

export const generateImageInputSchema = z
  .object({
    dir: modelPath,
    prompt: z.string().min(1).max(2000),
    negativePrompt: z.string().max(2000).default(''),
    seed: z.number().int().min(0).max(2 ** 31 - 1),
    steps: z.number().int().min(1).max(500),
    guidance: z.number().min(0).max(100),
    width: z.number().int().min(8).max(4096),
    height: z.number().int().min(8).max(4096),
    /** Default: the sampler the model's scheduler_config.json names. */
    scheduler: samplerKindSchema.optional(),
  })
  .extend(modelOpenOptionsSchema.shape)
  .strict();

export const generatedImageSchema = z.object({
  /** The workspace's record of this image (the gallery's id); its PNG carries the settings in text chunks. */
  generationId: z.string().min(1),
  dataUrl: z.string().startsWith('data:image/png;base64,'),
  width: count,
  height: count,
  seed: count,
  steps: count,
  scheduler: samplerKindSchema,
  elapsedMs: z.number().nonnegative(),
});

export type ModelSummary = z.infer<typeof modelSummarySchema>;
export type GenerateImageInput = z.input<typeof generateImageInputSchema>;
export type GeneratedImage = z.infer<typeof generatedImageSchema>;
