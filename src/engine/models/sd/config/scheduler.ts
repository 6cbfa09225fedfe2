// scheduler_config.json as diffusers reads it. The noise schedule keys are common to every
// scheduler; a few defaults depend on the class (DDIM/PNDM/DDPM space timesteps 'leading', Euler /
// DPM-Solver / LMS 'linspace'; DDIM sets alpha to one, PNDM does not; DDIM/DDPM clip the sample),
// so those are filled in from `_class_name` after validation, exactly as that class would.
import { z } from 'zod';
import { EngineError } from '../../../core/errors';
import { DIFFUSERS_METADATA, type KeyRules, checkKeys } from './keys';
import { type ConfigOrigin, type DeepReadonly, LIMITS, deepFreeze, parseWith, size } from './parse';

export const BETA_SCHEDULES = ['linear', 'scaled_linear', 'squaredcos_cap_v2'] as const;
export const PREDICTION_TYPES = ['epsilon', 'v_prediction', 'sample'] as const;
export const TIMESTEP_SPACINGS = ['leading', 'trailing', 'linspace'] as const;
export type PredictionType = (typeof PREDICTION_TYPES)[number];

const schedulerFileSchema = z.object({
  _class_name: z.string().default('PNDMScheduler'),
  num_train_timesteps: size(LIMITS.timesteps).default(1000),
  beta_start: z.number().positive().default(0.0001),
  beta_end: z.number().positive().default(0.02),
  beta_schedule: z.enum(BETA_SCHEDULES).default('linear'),
  trained_betas: z.array(z.number()).max(LIMITS.timesteps).nullable().default(null),
  prediction_type: z.enum(PREDICTION_TYPES).default('epsilon'),
  steps_offset: z.number().int().nonnegative().max(LIMITS.timesteps).default(0),
  timestep_spacing: z.enum(TIMESTEP_SPACINGS).optional(),
  set_alpha_to_one: z.boolean().optional(),
  clip_sample: z.boolean().optional(),
  clip_sample_range: z.number().positive().default(1),
  skip_prk_steps: z.boolean().default(false),
  thresholding: z.boolean().default(false),
  dynamic_thresholding_ratio: z.number().default(0.995),
  sample_max_value: z.number().default(1),
  rescale_betas_zero_snr: z.boolean().default(false),
  use_karras_sigmas: z.boolean().nullable().default(false),
  interpolation_type: z.string().default('linear'),
  solver_order: size(8).default(2),
  algorithm_type: z.string().default('dpmsolver++'),
  solver_type: z.string().default('midpoint'),
  lower_order_final: z.boolean().default(true),
  euler_at_final: z.boolean().default(false),
  final_sigmas_type: z.string().default('zero'),
  variance_type: z.string().nullable().default(null),
  lambda_min_clipped: z.number().optional(),
  timestep_type: z.string().optional(),
  use_exponential_sigmas: z.boolean().nullable().optional(),
  use_beta_sigmas: z.boolean().nullable().optional(),
  use_lu_lambdas: z.boolean().nullable().optional(),
  use_flow_sigmas: z.boolean().nullable().optional(),
  use_dynamic_shifting: z.boolean().nullable().optional(),
  sigma_min: z.number().nullable().optional(),
  sigma_max: z.number().nullable().optional(),
  flow_shift: z.number().nullable().optional(),
  time_shift_type: z.string().nullable().optional(),
});

const BY_SAMPLER = 'honoured' as const;
const NEEDS_REFUSED = (what: string) => ({ inert: `read by diffusers only with ${what}, which the samplers refuse` });

/**
 * What the engine does with each key of the DDPM-family scheduler configs SD folders ship. Which of
 * them a sampler reads depends on the sampler (as diffusers' from_config ignores keys the class does
 * not take): every sampler refuses, when it is made, the values of its keys it does not implement.
 */
export const SCHEDULER_KEY_RULES: KeyRules = {
  ...DIFFUSERS_METADATA,
  num_train_timesteps: BY_SAMPLER, beta_start: BY_SAMPLER, beta_end: BY_SAMPLER, beta_schedule: BY_SAMPLER, trained_betas: BY_SAMPLER,
  prediction_type: BY_SAMPLER, steps_offset: BY_SAMPLER, timestep_spacing: BY_SAMPLER, set_alpha_to_one: BY_SAMPLER, clip_sample: BY_SAMPLER,
  clip_sample_range: BY_SAMPLER, skip_prk_steps: BY_SAMPLER, thresholding: BY_SAMPLER, rescale_betas_zero_snr: BY_SAMPLER,
  use_karras_sigmas: BY_SAMPLER, use_exponential_sigmas: BY_SAMPLER, use_beta_sigmas: BY_SAMPLER, use_lu_lambdas: BY_SAMPLER,
  use_flow_sigmas: BY_SAMPLER, use_dynamic_shifting: BY_SAMPLER, interpolation_type: BY_SAMPLER, timestep_type: BY_SAMPLER,
  solver_order: BY_SAMPLER, algorithm_type: BY_SAMPLER, solver_type: BY_SAMPLER, lower_order_final: BY_SAMPLER, euler_at_final: BY_SAMPLER,
  final_sigmas_type: BY_SAMPLER, lambda_min_clipped: BY_SAMPLER, variance_type: BY_SAMPLER,
  dynamic_thresholding_ratio: NEEDS_REFUSED('thresholding: true'),
  sample_max_value: NEEDS_REFUSED('thresholding: true'),
  sigma_min: NEEDS_REFUSED('karras / exponential / beta sigmas'),
  sigma_max: NEEDS_REFUSED('karras / exponential / beta sigmas'),
  flow_shift: NEEDS_REFUSED('use_flow_sigmas'),
  time_shift_type: NEEDS_REFUSED('use_dynamic_shifting'),
};

type SchedulerFile = z.output<typeof schedulerFileSchema>;
export type SchedulerConfig = DeepReadonly<Omit<SchedulerFile, 'timestep_spacing' | 'set_alpha_to_one' | 'clip_sample'> & {
  timestep_spacing: (typeof TIMESTEP_SPACINGS)[number];
  set_alpha_to_one: boolean;
  clip_sample: boolean;
}>;

interface ClassDefaults {
  readonly timestep_spacing: (typeof TIMESTEP_SPACINGS)[number];
  readonly set_alpha_to_one: boolean;
  readonly clip_sample: boolean;
}

/** Class-dependent defaults of the schedulers SD folders ship with (diffusers' __init__ signatures). */
const CLASS_DEFAULTS: Readonly<Record<string, ClassDefaults>> = {
  DDIMScheduler: { timestep_spacing: 'leading', set_alpha_to_one: true, clip_sample: true },
  DDPMScheduler: { timestep_spacing: 'leading', set_alpha_to_one: false, clip_sample: true },
  PNDMScheduler: { timestep_spacing: 'leading', set_alpha_to_one: false, clip_sample: false },
  EulerDiscreteScheduler: { timestep_spacing: 'linspace', set_alpha_to_one: false, clip_sample: false },
  EulerAncestralDiscreteScheduler: { timestep_spacing: 'linspace', set_alpha_to_one: false, clip_sample: false },
  LMSDiscreteScheduler: { timestep_spacing: 'linspace', set_alpha_to_one: false, clip_sample: false },
  DPMSolverMultistepScheduler: { timestep_spacing: 'linspace', set_alpha_to_one: false, clip_sample: false },
};

/** Scheduler classes whose config keys this module knows; others still parse with DDIM-like defaults. */
export const KNOWN_SCHEDULER_CLASSES = Object.keys(CLASS_DEFAULTS);

/** Parses scheduler/scheduler_config.json; flow-matching schedulers (SD3 / Flux) are refused. */
export function parseSchedulerConfig(json: unknown, origin: ConfigOrigin): SchedulerConfig {
  const raw = json !== null && typeof json === 'object' ? (json as Record<string, unknown>) : {};
  const className = typeof raw['_class_name'] === 'string' ? raw['_class_name'] : '';
  if (className.startsWith('FlowMatch')) {
    throw new EngineError('unsupported-model', `${origin.file}: ${className} is a flow-matching scheduler (SD3 / Flux); supported: the DDPM-family schedulers of SD 1.x and SD 2.x.`, { file: origin.file, component: origin.component });
  }
  const parsed: SchedulerFile = structuredClone(parseWith(schedulerFileSchema, json, origin)) as SchedulerFile;
  checkKeys(raw, SCHEDULER_KEY_RULES, `${parsed._class_name} scheduler`, origin);
  const defaults = CLASS_DEFAULTS[parsed._class_name] ?? CLASS_DEFAULTS['DDIMScheduler'] as ClassDefaults;
  if (parsed.trained_betas !== null && parsed.trained_betas.length !== parsed.num_train_timesteps) {
    throw new EngineError('corrupt-file', `${origin.file}: trained_betas has ${parsed.trained_betas.length} entries but num_train_timesteps is ${parsed.num_train_timesteps}; fix the scheduler config.`, { file: origin.file, component: origin.component, key: 'trained_betas' });
  }
  return deepFreeze({
    ...parsed,
    timestep_spacing: parsed.timestep_spacing ?? defaults.timestep_spacing,
    set_alpha_to_one: parsed.set_alpha_to_one ?? defaults.set_alpha_to_one,
    clip_sample: parsed.clip_sample ?? defaults.clip_sample,
  });
}
