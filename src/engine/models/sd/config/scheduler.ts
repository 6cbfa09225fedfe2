// scheduler_config.json as diffusers reads it. The noise schedule keys are common to every
// scheduler; a few defaults depend on the class (DDIM/PNDM/DDPM space timesteps 'leading', Euler /
// DPM-Solver / LMS 'linspace'; DDIM sets alpha to one, PNDM does not; DDIM/DDPM clip the sample),
// so those are filled in from `_class_name` after validation, exactly as that class would.
import { z } from 'zod';
import { EngineError } from '../../../core/errors';
import { type ConfigOrigin, type DeepReadonly, deepFreeze, parseWith } from './parse';

export const BETA_SCHEDULES = ['linear', 'scaled_linear', 'squaredcos_cap_v2'] as const;
export const PREDICTION_TYPES = ['epsilon', 'v_prediction', 'sample'] as const;
export const TIMESTEP_SPACINGS = ['leading', 'trailing', 'linspace'] as const;
export type PredictionType = (typeof PREDICTION_TYPES)[number];

const schedulerFileSchema = z.object({
  _class_name: z.string().default('PNDMScheduler'),
  num_train_timesteps: z.number().int().positive().default(1000),
  beta_start: z.number().positive().default(0.0001),
  beta_end: z.number().positive().default(0.02),
  beta_schedule: z.enum(BETA_SCHEDULES).default('linear'),
  trained_betas: z.array(z.number()).nullable().default(null),
  prediction_type: z.enum(PREDICTION_TYPES).default('epsilon'),
  steps_offset: z.number().int().nonnegative().default(0),
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
  solver_order: z.number().int().positive().default(2),
  algorithm_type: z.string().default('dpmsolver++'),
  solver_type: z.string().default('midpoint'),
  lower_order_final: z.boolean().default(true),
  euler_at_final: z.boolean().default(false),
  final_sigmas_type: z.string().default('zero'),
  variance_type: z.string().nullable().default(null),
});

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
