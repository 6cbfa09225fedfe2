// The contract of APTP stage-1 pruning runs (`aptp prune`, the studio's Train view): the run
// configuration with its presets, and the prune-specific requests (start a run, estimate what a
// configuration costs before starting it). Generic run control (list, pause, resume, cancel,
// metric series) is the runs API's.
import { z } from 'zod';

/** Step counts and batch sizes of the paper's settings and a quick one for CPUs and tests. */
export const PRUNE_PRESETS = {
  coco: { steps: 5000, batch: 64, experts: 8, pretrainSteps: 500, warmupSteps: 100 },
  cc3m: { steps: 5000, batch: 64, experts: 16, pretrainSteps: 500, warmupSteps: 100 },
  quick: { steps: 40, batch: 8, experts: 4, pretrainSteps: 4, warmupSteps: 4 },
} as const;
export type PrunePreset = keyof typeof PRUNE_PRESETS;

const positiveInt = z.number().int().positive();

export const pruneConfigSchema = z.object({
  /** A diffusers model folder (its UNet is pruned; its scheduler gives the noise schedule). */
  model: z.string().min(1),
  /** Name or id of an imported and prepared dataset. */
  dataset: z.string().min(1),
  /** Average MACs kept, as a fraction of the whole UNet's MACs at the training resolution. */
  budget: z.number().gt(0).lte(1),
  preset: z.enum(['coco', 'cc3m', 'quick']).default('coco'),
  experts: positiveInt.optional(),
  steps: positiveInt.optional(),
  batch: positiveInt.optional(),
  microBatch: positiveInt.optional(),
  pretrainSteps: z.number().int().nonnegative().optional(),
  warmupSteps: z.number().int().nonnegative().optional(),
  /** The learning rate before scaling by sqrt(batch). */
  lr: z.number().positive().default(2e-4),
  optimalTransport: z.boolean().default(true),
  /** 'router': APTP; 'single': the paper's baseline, one learned architecture for every prompt. */
  kind: z.enum(['router', 'single']).default('router'),
  seed: z.number().int().default(0),
  /**
   * Training resolution in pixels (the prepared cache must have latents at it). Default: the model's
   * own, unet sample_size x the VAE's factor, the same default `aptp data prepare` uses.
   */
  resolution: positiveInt.optional(),
  checkpointEvery: positiveInt.default(100),
  /** Overrides of the objective preset's min-SNR gamma (5) and formula ('reference'). */
  snrGamma: z.number().positive().optional(),
  snrFormula: z.enum(['reference', 'diffusers']).optional(),
  threads: positiveInt.optional(),
  /** The prompt encoder the router reads: 'model' (the model's own text encoder, pooled) or 'sentence-transformers:DIR'. */
  promptEncoder: z.string().min(1).default('model'),
  /** Steps between per-code sample images (0: none); default a fifth of the steps. */
  sampleEvery: z.number().int().nonnegative().optional(),
  /** Fixed prompts (spread over the dataset) each code generates at every sample step. */
  samplePrompts: positiveInt.default(4),
  /** Sampler (DDIM) steps per sample image. */
  sampleSteps: positiveInt.default(20),
  /** Classifier-free guidance scale of the sample images (1: none), the empty prompt as the unconditional one. */
  sampleGuidance: z.number().min(1).max(30).default(7.5),
  /**
   * 'fast' (default): onnxruntime's fastest conv kernels, which hold each frozen UNet weight about
   * twice. 'lean': one copy of each weight (conv input gradients over the same weights, no
   * re-laid-out copies), slower convolutions. Gradients agree to float32 rounding either way.
   */
  memory: z.enum(['fast', 'lean']).default('fast'),
}).strict();

export type PruneConfigInput = z.input<typeof pruneConfigSchema>;
export type PruneConfig = z.output<typeof pruneConfigSchema>;

/** A configuration with the preset's values filled in where the user gave none. */
export interface ResolvedPruneConfig extends PruneConfig {
  readonly experts: number;
  readonly steps: number;
  readonly batch: number;
  readonly microBatch: number;
  readonly pretrainSteps: number;
  readonly warmupSteps: number;
  readonly sampleEvery: number;
  readonly resolution: number;
}

/** Fills the preset's values; the resolution must already be known (the engine reads the model's own). */
export function resolvePruneConfig(config: PruneConfig & { readonly resolution: number }): ResolvedPruneConfig {
  const p = PRUNE_PRESETS[config.preset];
  const batch = config.batch ?? p.batch;
  const steps = config.steps ?? p.steps;
  return {
    ...config,
    experts: config.experts ?? p.experts,
    steps,
    batch,
    microBatch: config.microBatch ?? Math.min(batch, 8),
    pretrainSteps: config.pretrainSteps ?? Math.round((p.pretrainSteps / p.steps) * (config.steps ?? p.steps)),
    warmupSteps: config.warmupSteps ?? p.warmupSteps,
    sampleEvery: config.sampleEvery ?? Math.ceil(steps / 5),
  };
}

/** What a configuration costs, shown before a run starts. */
export const pruneEstimateSchema = z.object({
  totalMacs: z.number(),
  prunableMacs: z.number(),
  /** MACs the budget allows on average (budget x total). */
  budgetMacs: z.number(),
  /** The prunable-MACs target p' the resource loss aims at. */
  prunableTarget: z.number(),
  /** Bytes one micro-batch step needs, estimated (weights + activations kept for the backward pass). */
  stepMemoryBytes: z.number(),
  gateEntries: z.number().int(),
  latent: z.object({ height: z.number().int(), width: z.number().int() }),
  /**
   * About how far AdamW can move one gate logit of the architectures that gate the UNet (the codes,
   * after predictor pre-training; the baseline's one vector) over the run: the sum of the scheduled
   * learning rates (lr x sqrt(batch), with warm-up), AdamW's step being about lr per parameter.
   */
  logitTravel: z.number(),
  /** How far a logit must move from its start near 0 to switch its gate off: the Gumbel offset (3). */
  gateOffset: z.number(),
});
export type PruneEstimate = z.output<typeof pruneEstimateSchema>;

export const startPrune = {
  input: pruneConfigSchema,
  output: z.object({ runId: z.string() }),
} as const;

/** One per-code sample image of a run; `imagePath` is relative to the workspace (serve it with runSampleImage). */
export const runSampleSchema = z.object({
  step: z.number().int(),
  code: z.number().int(),
  prompt: z.string(),
  seed: z.number().int(),
  imagePath: z.string(),
});

/** Every per-code sample of a pruning run, by step, code, then prompt. */
export const runSamples = {
  input: z.object({ runId: z.string().min(1) }).strict(),
  output: z.object({ samples: z.array(runSampleSchema) }),
} as const;

/** One sample image of a run as a data URL (as datasetThumbnails serves thumbnails). */
export const runSampleImage = {
  input: z.object({ runId: z.string().min(1), imagePath: z.string().min(1) }).strict(),
  output: z.object({ dataUrl: z.string() }),
} as const;

export const pruneEstimate = {
  input: pruneConfigSchema,
  output: pruneEstimateSchema,
} as const;

/**
 * A step of the configuration measured on this machine: the engine builds the run's sessions on
 * the execution provider a run would use and times real training steps on the dataset's first
 * items (no run is recorded). Cached per model, dataset and step shape for the engine's lifetime.
 */
export const pruneProbeSchema = z.object({
  provider: z.string(),
  /** Seconds to build the graphs and open the sessions (paid once per run and per resume). */
  setupSeconds: z.number().nonnegative(),
  /** Seconds of one training step (the global batch), after the first. */
  stepSeconds: z.number().nonnegative(),
  /** Steps timed (the first, which warms the sessions, is not counted). */
  measuredSteps: z.number().int().positive(),
  /** setupSeconds + steps x stepSeconds for this configuration's steps. */
  totalSeconds: z.number().nonnegative(),
  /** True when this shape was measured by an earlier request. */
  cached: z.boolean(),
  /** The memory mode measured (the configuration's `memory`). */
  memory: z.enum(['fast', 'lean']),
  /**
   * Resident memory the run's sessions added to the engine process, in bytes, measured after the
   * timed steps with the sessions open (their memory arenas at the steps' high-water mark).
   */
  memoryBytes: z.number().nonnegative(),
});
export type PruneProbe = z.output<typeof pruneProbeSchema>;

export const pruneProbe = {
  input: pruneConfigSchema,
  output: pruneProbeSchema,
} as const;
