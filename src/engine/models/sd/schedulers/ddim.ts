// DDIM sampler (Song et al. 2021) exactly as diffusers' DDIMScheduler: leading / trailing / linspace
// timesteps with steps_offset, set_alpha_to_one for the final step, clip_sample, epsilon or
// v-prediction, and eta (0 = deterministic; eta > 0 needs the caller's variance noise).
import { EngineError } from '../../../core/errors';
import { configNumber, flag, resolveNoiseSchedule, type NoiseScheduleOptions, type SchedulerConfigInput } from './config';
import { checkStep, checkSteps, type Sampler } from './sampler';
import { f32, linspace, noiseTables } from './schedule';

export interface DdimStepOptions {
  readonly eta?: number;
  /** N(0, 1) noise for eta > 0, same size as the sample. */
  readonly varianceNoise?: Float32Array;
}

/** DDIMScheduler.set_timesteps. */
export function ddimTimesteps(o: NoiseScheduleOptions, steps: number): number[] {
  checkSteps(steps, o.numTrainTimesteps);
  const n = o.numTrainTimesteps;
  if (o.timestepSpacing === 'linspace') return linspace(0, n - 1, steps).map(roundHalfEven).reverse();
  if (o.timestepSpacing === 'leading') {
    const ratio = Math.floor(n / steps);
    return Array.from({ length: steps }, (_, i) => (steps - 1 - i) * ratio + o.stepsOffset);
  }
  return arangeDown(n, 0, n / steps).map((t) => roundHalfEven(t) - 1);
}

/** numpy.arange(start, stop, -step) for a positive float step: start - i * step while > stop. */
export function arangeDown(start: number, stop: number, step: number): number[] {
  const count = Math.max(0, Math.ceil((start - stop) / step));
  return Array.from({ length: count }, (_, i) => start - i * step);
}

/** numpy.round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export class DdimSampler implements Sampler {
  readonly kind = 'ddim';
  readonly timesteps: readonly number[];
  readonly initNoiseSigma = 1;
  private readonly alphasCumprod: Float32Array;
  private readonly finalAlphaCumprod: number;
  private readonly clipRange: number | null;
  private readonly predictionType: NoiseScheduleOptions['predictionType'];
  private readonly stride: number;
  private next = 0;

  constructor(raw: SchedulerConfigInput, steps: number) {
    const o = resolveNoiseSchedule(raw, { timestepSpacing: 'leading' });
    this.alphasCumprod = noiseTables(o, false).alphasCumprod;
    this.finalAlphaCumprod = flag('set_alpha_to_one', raw.set_alpha_to_one, true) ? 1 : (this.alphasCumprod[0] as number);
    this.clipRange = flag('clip_sample', raw.clip_sample, true) ? configNumber('clip_sample_range', raw.clip_sample_range, 1) : null;
    if (raw.thresholding === true) throw new EngineError('invalid-argument', 'scheduler_config.json: thresholding (dynamic) is not supported for latent diffusion; set it to false.', { key: 'thresholding' });
    this.predictionType = o.predictionType;
    this.timesteps = Object.freeze(ddimTimesteps(o, steps));
    this.stride = Math.floor(o.numTrainTimesteps / steps);
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, index: number, sample: Float32Array, options: DdimStepOptions = {}): Float32Array {
    checkStep(this.kind, this.next, index, modelOutput, sample);
    this.next++;
    const t = this.timesteps[index] as number;
    return this.stepFrom(modelOutput, t, t - this.stride, sample, options);
  }

  /** The DDIM update from timestep t to prev (prev < 0 means the final alpha). */
  stepFrom(modelOutput: Float32Array, t: number, prev: number, sample: Float32Array, options: DdimStepOptions = {}): Float32Array {
    const eta = options.eta ?? 0;
    const at = this.alphasCumprod[t] as number;
    const ap = prev >= 0 ? (this.alphasCumprod[prev] as number) : this.finalAlphaCumprod;
    const bt = f32(1 - at);
    const sa = f32(Math.sqrt(at));
    const sb = f32(Math.sqrt(bt));
    // eta = 0 skips the variance, which is undefined when stepping up (inversion, prev > t)
    const std = eta > 0 ? f32(eta * f32(Math.sqrt(f32(f32(f32(1 - ap) / bt) * f32(1 - f32(at / ap)))))) : 0;
    const dirCoef = f32(Math.sqrt(f32(f32(1 - ap) - f32(std * std))));
    const prevCoef = f32(Math.sqrt(ap));
    const noise = options.varianceNoise;
    if (eta > 0 && noise?.length !== sample.length) {
      throw new EngineError('invalid-argument', 'DDIM with eta > 0 needs variance noise the size of the sample.', { eta });
    }
    const out = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      const x = sample[i] as number;
      const m = modelOutput[i] as number;
      let x0 = this.predictionType === 'epsilon' ? f32(f32(x - f32(sb * m)) / sa) : f32(f32(sa * x) - f32(sb * m));
      const eps = this.predictionType === 'epsilon' ? m : f32(f32(sa * m) + f32(sb * x));
      if (this.clipRange !== null) x0 = Math.min(Math.max(x0, -this.clipRange), this.clipRange);
      let y = f32(f32(prevCoef * x0) + f32(dirCoef * eps));
      if (eta > 0 && noise) y = f32(y + f32(std * (noise[i] as number)));
      out[i] = y;
    }
    return out;
  }
}
