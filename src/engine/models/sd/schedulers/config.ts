// Scheduler configuration as written in a diffusers `scheduler_config.json` (snake_case keys, every
// key optional), and its resolution into frozen options per sampler with that sampler's diffusers
// defaults for missing keys, the way `XScheduler.from_config` fills them. Unknown values are refused
// with an error naming the key and the accepted values.
import { EngineError } from '../../../core/errors';

export type BetaSchedule = 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';
export type TimestepSpacing = 'leading' | 'trailing' | 'linspace';
export type PredictionType = 'epsilon' | 'v_prediction';

/** The keys of scheduler_config.json the schedulers read; any parsed config object fits. */
export interface SchedulerConfigInput {
  readonly num_train_timesteps?: number;
  readonly beta_start?: number;
  readonly beta_end?: number;
  readonly beta_schedule?: string;
  readonly trained_betas?: readonly number[] | null;
  readonly prediction_type?: string;
  readonly timestep_spacing?: string;
  readonly steps_offset?: number;
  readonly set_alpha_to_one?: boolean;
  readonly clip_sample?: boolean;
  readonly clip_sample_range?: number;
  readonly skip_prk_steps?: boolean;
  readonly rescale_betas_zero_snr?: boolean;
  readonly solver_order?: number;
  readonly lower_order_final?: boolean;
  readonly euler_at_final?: boolean;
  readonly final_sigmas_type?: string;
  readonly lambda_min_clipped?: number;
  readonly algorithm_type?: string;
  readonly solver_type?: string;
  readonly thresholding?: boolean;
  readonly use_karras_sigmas?: boolean | null;
  readonly interpolation_type?: string;
  readonly timestep_type?: string;
  readonly variance_type?: string | null;
  readonly use_dynamic_shifting?: boolean | null;
}

/** What every schedule shares: the beta schedule and how predictions are parameterised. */
export interface NoiseScheduleOptions {
  readonly numTrainTimesteps: number;
  readonly betaStart: number;
  readonly betaEnd: number;
  readonly betaSchedule: BetaSchedule;
  readonly trainedBetas: readonly number[] | null;
  readonly rescaleBetasZeroSnr: boolean;
  readonly predictionType: PredictionType;
  readonly timestepSpacing: TimestepSpacing;
  readonly stepsOffset: number;
}

/** The diffusers defaults that differ between scheduler classes. */
export interface ClassDefaults {
  readonly timestepSpacing: TimestepSpacing;
}

function oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new EngineError(
    'invalid-argument',
    `scheduler_config.json: ${key} is ${JSON.stringify(value)}; supported: ${allowed.join(', ')}. Fix the file or pick another scheduler.`,
    { key, value, allowed },
  );
}

/** Sanity bound on timestep counts and offsets (SD: 1000), checked before any table is allocated. */
const MAX_TIMESTEPS = 100_000;

function positiveInt(key: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= MAX_TIMESTEPS) return value;
  throw new EngineError('invalid-argument', `scheduler_config.json: ${key} must be an integer from ${min} to ${MAX_TIMESTEPS} (got ${JSON.stringify(value)}).`, { key, value });
}

function finite(key: string, value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number' && !Number.isNaN(value)) return value;
  throw new EngineError('invalid-argument', `scheduler_config.json: ${key} must be a number (got ${JSON.stringify(value)}).`, { key, value });
}

export function flag(key: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'boolean') return value;
  throw new EngineError('invalid-argument', `scheduler_config.json: ${key} must be true or false (got ${JSON.stringify(value)}).`, { key, value });
}

export { finite as configNumber, positiveInt as configInt, oneOf as configChoice };

/** Resolves the shared part of a config with diffusers' constructor defaults (linear betas 1e-4..0.02). */
export function resolveNoiseSchedule(raw: SchedulerConfigInput, defaults: ClassDefaults): NoiseScheduleOptions {
  const numTrainTimesteps = positiveInt('num_train_timesteps', raw.num_train_timesteps, 1000, 2);
  const trainedBetas = raw.trained_betas ?? null;
  if (trainedBetas !== null && trainedBetas.length !== numTrainTimesteps) {
    throw new EngineError('invalid-argument', `scheduler_config.json: trained_betas has ${trainedBetas.length} entries but num_train_timesteps is ${numTrainTimesteps}.`, { key: 'trained_betas' });
  }
  return Object.freeze({
    numTrainTimesteps,
    betaStart: finite('beta_start', raw.beta_start, 0.0001),
    betaEnd: finite('beta_end', raw.beta_end, 0.02),
    betaSchedule: oneOf('beta_schedule', raw.beta_schedule, ['linear', 'scaled_linear', 'squaredcos_cap_v2'] as const, 'linear'),
    trainedBetas: trainedBetas === null ? null : Object.freeze([...trainedBetas]),
    rescaleBetasZeroSnr: flag('rescale_betas_zero_snr', raw.rescale_betas_zero_snr, false),
    predictionType: oneOf('prediction_type', raw.prediction_type, ['epsilon', 'v_prediction'] as const, 'epsilon'),
    timestepSpacing: oneOf('timestep_spacing', raw.timestep_spacing, ['leading', 'trailing', 'linspace'] as const, defaults.timestepSpacing),
    stepsOffset: positiveInt('steps_offset', raw.steps_offset, 0, 0),
  });
}
