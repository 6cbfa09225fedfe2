// Euler discrete sampler (Karras et al. 2022, algorithm 2 without churn) as diffusers'
// EulerDiscreteScheduler: sigma-space timesteps (fractional with linspace spacing) interpolated
// linearly from the training sigmas, init_noise_sigma, and inputs scaled by 1/sqrt(sigma^2 + 1).
import { EngineError } from '../../../core/errors';
import { configChoice, resolveNoiseSchedule, type NoiseScheduleOptions, type SchedulerConfigInput } from './config';
import { arangeDown, roundHalfEven } from './ddim';
import { checkStep, checkSteps, type Sampler } from './sampler';
import { f32, interpAt, linspace, noiseTables, sigmasFromAlphasCumprod } from './schedule';

/** EulerDiscreteScheduler.set_timesteps' timesteps (float32 values, descending). */
export function eulerTimesteps(o: NoiseScheduleOptions, steps: number): number[] {
  checkSteps(steps, o.numTrainTimesteps);
  const n = o.numTrainTimesteps;
  if (o.timestepSpacing === 'linspace') return linspace(0, n - 1, steps).map(f32).reverse();
  if (o.timestepSpacing === 'leading') {
    const ratio = Math.floor(n / steps);
    return Array.from({ length: steps }, (_, i) => f32((steps - 1 - i) * ratio + o.stepsOffset));
  }
  return arangeDown(n, 0, n / steps).map((t) => f32(roundHalfEven(t) - 1));
}

/** Refuses the sigma options this port does not implement rather than silently ignoring them. */
export function refuseSigmaVariants(raw: SchedulerConfigInput): void {
  for (const key of ['use_karras_sigmas', 'use_exponential_sigmas', 'use_beta_sigmas', 'use_lu_lambdas', 'use_flow_sigmas'] as const) {
    if ((raw as Record<string, unknown>)[key] === true) {
      throw new EngineError('invalid-argument', `scheduler_config.json: ${key} is not supported yet; set it to false or choose another scheduler.`, { key });
    }
  }
}

export class EulerSampler implements Sampler {
  readonly kind = 'euler';
  readonly timesteps: readonly number[];
  readonly initNoiseSigma: number;
  /** One sigma per timestep plus the final sigma (0, or sigma_min). */
  readonly sigmas: Float32Array;
  private readonly vPrediction: boolean;
  private next = 0;

  constructor(raw: SchedulerConfigInput, steps: number) {
    refuseSigmaVariants(raw);
    configChoice('interpolation_type', raw.interpolation_type, ['linear'] as const, 'linear');
    configChoice('timestep_type', raw.timestep_type, ['discrete'] as const, 'discrete');
    const o = resolveNoiseSchedule(raw, { timestepSpacing: 'linspace' });
    const trainSigmas = sigmasFromAlphasCumprod(noiseTables(o, true).alphasCumprod);
    this.timesteps = Object.freeze(eulerTimesteps(o, steps));
    const finalType = configChoice('final_sigmas_type', raw.final_sigmas_type, ['zero', 'sigma_min'] as const, 'zero');
    const last = finalType === 'zero' ? 0 : (trainSigmas[0] as number);
    this.sigmas = Float32Array.from([...interpAt(this.timesteps, trainSigmas), last]);
    const max = this.sigmas.reduce((a, b) => Math.max(a, b), 0);
    this.initNoiseSigma = o.timestepSpacing === 'leading' ? f32(Math.sqrt(f32(f32(max * max) + 1))) : max;
    this.vPrediction = o.predictionType === 'v_prediction';
  }

  private inputScale(index: number): number {
    const s = this.sigmas[index] as number;
    return f32(Math.sqrt(f32(f32(s * s) + 1)));
  }

  scaleModelInput(sample: Float32Array, index: number): Float32Array {
    const d = this.inputScale(index);
    return sample.map((x) => f32(x / d));
  }

  step(modelOutput: Float32Array, index: number, sample: Float32Array): Float32Array {
    checkStep(this.kind, this.next, index, modelOutput, sample);
    this.next++;
    const sigma = this.sigmas[index] as number;
    const dt = f32((this.sigmas[index + 1] as number) - sigma);
    const root = this.inputScale(index);
    const vCoef = f32(-sigma / root);
    const vDen = f32(f32(sigma * sigma) + 1);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      const x = sample[i] as number;
      const m = modelOutput[i] as number;
      const x0 = this.vPrediction ? f32(f32(m * vCoef) + f32(x / vDen)) : f32(x - f32(sigma * m));
      const derivative = f32(f32(x - x0) / sigma);
      out[i] = f32(x + f32(derivative * dt));
    }
    return out;
  }
}
