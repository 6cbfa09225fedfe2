// The stage-1 objective's settings as one zod schema, validated at the edge and recorded with a
// run: loss weights (APTP.md: L = ddpm + 2 res + 100 cont + 0.2 distill + 0.2 block + 0.1 std +
// 0.1 max), min-SNR gamma and formula, contrastive temperatures, and the router settings
// (K, Gumbel temperature and offset, optimal transport, Sinkhorn, resource-aware normalisation).
// Presets: 'coco' and 'cc3m' are the authors' stage-1 configs (identical objectives; the paper's
// CC3M "Base" uses K=16), 'quick' is for minutes-long runs on a tiny model, 'baseline' is the
// single-architecture comparison (DDPM + resource only, as the authors' single_arch config).
import { z } from 'zod';
import { EngineError } from '../../core/errors';

const weight = z.number().finite().min(0);

export const lossWeightsSchema = z.object({
  ddpm: weight, resource: weight, contrastive: weight, distill: weight, block: weight, std: weight, max: weight,
}).strict();

export const stage1ObjectiveSchema = z.object({
  weights: lossWeightsSchema,
  snrGamma: z.number().positive(),
  snrFormula: z.enum(['reference', 'diffusers']),
  contrastiveTemperatures: z.object({ arch: z.number().positive(), prompt: z.number().positive() }).strict(),
  router: z.object({
    kind: z.enum(['router', 'single']),
    experts: z.number().int().min(1),
    temperature: z.number().positive(),
    offset: z.number().finite(),
    optimalTransport: z.boolean(),
    sinkhornEpsilon: z.number().positive(),
    sinkhornIterations: z.number().int().min(1),
    resourceAwareNormalization: z.boolean(),
  }).strict(),
}).strict();

export type LossWeights = z.infer<typeof lossWeightsSchema>;
export type Stage1Objective = z.infer<typeof stage1ObjectiveSchema>;
export type ObjectivePreset = 'coco' | 'cc3m' | 'quick' | 'baseline';

const PAPER: Stage1Objective = {
  weights: { ddpm: 1, resource: 2, contrastive: 100, distill: 0.2, block: 0.2, std: 0.1, max: 0.1 },
  snrGamma: 5,
  snrFormula: 'reference',
  contrastiveTemperatures: { arch: 0.03, prompt: 0.03 },
  router: { kind: 'router', experts: 8, temperature: 0.4, offset: 3, optimalTransport: true, sinkhornEpsilon: 0.05, sinkhornIterations: 3, resourceAwareNormalization: false },
};

export const OBJECTIVE_PRESETS: Readonly<Record<ObjectivePreset, Stage1Objective>> = {
  coco: PAPER,
  cc3m: PAPER,
  quick: { ...PAPER, router: { ...PAPER.router, experts: 4 } },
  baseline: { ...PAPER, weights: { ddpm: 1, resource: 2, contrastive: 0, distill: 0, block: 0, std: 0, max: 0 }, router: { ...PAPER.router, kind: 'single', experts: 1 } },
};

export interface ObjectiveOverrides {
  readonly weights?: Partial<LossWeights>;
  readonly router?: Partial<Stage1Objective['router']>;
  readonly snrGamma?: number;
  readonly snrFormula?: Stage1Objective['snrFormula'];
  readonly contrastiveTemperatures?: Stage1Objective['contrastiveTemperatures'];
}

/** A preset with overrides, validated; a bad value is an EngineError naming the field. */
export function stage1Objective(preset: ObjectivePreset, overrides: ObjectiveOverrides = {}): Stage1Objective {
  const base = OBJECTIVE_PRESETS[preset];
  const merged = { ...base, ...overrides, weights: { ...base.weights, ...overrides.weights }, router: { ...base.router, ...overrides.router } };
  const parsed = stage1ObjectiveSchema.safeParse(merged);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  throw new EngineError('invalid-argument', `Pruning objective: '${field}' ${issue?.message ?? 'is invalid'}; fix it or start from a preset (coco, cc3m, quick, baseline).`, { field, preset });
}
