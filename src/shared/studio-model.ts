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
    scheduler: z.string(),
    defaultSampler: samplerKindSchema.nullable(),
    predictionType: z.string(),
    /** The model's native image size in pixels, and the step sizes must be a multiple of. */
    width: count,
    height: count,
    sizeMultiple: count,
  }),
});

export const inspectModel = {
  input: z.object({ dir: modelPath }).strict(),
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
  .strict();

export const generatedImageSchema = z.object({
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
