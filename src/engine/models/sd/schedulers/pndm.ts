// PNDM sampler (Liu et al. 2022) as diffusers' PNDMScheduler: with skip_prk_steps (what Stable
// Diffusion ships) it is pure PLMS, a 4th-order linear multistep whose first step is taken twice
// (once forward, once as a Heun-like correction); without it the first steps are Runge-Kutta (PRK).
import { configChoice, flag, resolveNoiseSchedule, type NoiseScheduleOptions, type SchedulerConfigInput } from './config';
import { arangeDown, roundHalfEven } from './ddim';
import { checkStep, checkSteps, type Sampler } from './sampler';
import { f32, linspace, noiseTables } from './schedule';

/** PNDMScheduler's `_timesteps`, ascending. */
function baseTimesteps(o: NoiseScheduleOptions, steps: number): number[] {
  const n = o.numTrainTimesteps;
  if (o.timestepSpacing === 'linspace') return linspace(0, n - 1, steps).map(roundHalfEven);
  if (o.timestepSpacing === 'leading') {
    const ratio = Math.floor(n / steps);
    return Array.from({ length: steps }, (_, i) => i * ratio + o.stepsOffset);
  }
  return arangeDown(n, 0, n / steps).map((t) => roundHalfEven(t) - 1).reverse();
}

/** PNDMScheduler.set_timesteps: the PRK part (empty with skip_prk_steps) then the PLMS part. */
export function pndmTimesteps(o: NoiseScheduleOptions, steps: number, skipPrk: boolean): { prk: number[]; plms: number[] } {
  checkSteps(steps, o.numTrainTimesteps);
  const ts = baseTimesteps(o, steps);
  if (skipPrk) {
    const plms = [...ts.slice(0, -1), ...ts.slice(-2, -1), ...ts.slice(-1)].reverse();
    return { prk: [], plms };
  }
  const half = Math.floor(Math.floor(o.numTrainTimesteps / steps) / 2);
  const lastFour = ts.slice(-4);
  const pairs = lastFour.flatMap((t) => [t, t + half]);
  const doubled = pairs.slice(0, -1).flatMap((t) => [t, t]);
  return { prk: doubled.slice(1, -1).reverse(), plms: ts.slice(0, -3).reverse() };
}

export class PndmSampler implements Sampler {
  readonly kind = 'pndm';
  readonly timesteps: readonly number[];
  readonly initNoiseSigma = 1;
  private readonly prk: readonly number[];
  private readonly skipPrk: boolean;
  private readonly alphasCumprod: Float32Array;
  private readonly finalAlphaCumprod: number;
  private readonly vPrediction: boolean;
  private readonly ratio: number;
  private counter = 0;
  private ets: Float32Array[] = [];
  private curSample: Float32Array | null = null;
  private curModelOutput: Float32Array | null = null;

  constructor(raw: SchedulerConfigInput, steps: number) {
    const o = resolveNoiseSchedule({ ...raw, rescale_betas_zero_snr: false }, { timestepSpacing: 'leading' });
    configChoice('prediction_type', raw.prediction_type, ['epsilon', 'v_prediction'] as const, 'epsilon');
    this.skipPrk = flag('skip_prk_steps', raw.skip_prk_steps, false);
    const { prk, plms } = pndmTimesteps(o, steps, this.skipPrk);
    this.prk = prk;
    this.timesteps = Object.freeze([...prk, ...plms]);
    this.alphasCumprod = noiseTables(o, false).alphasCumprod;
    this.finalAlphaCumprod = flag('set_alpha_to_one', raw.set_alpha_to_one, false) ? 1 : (this.alphasCumprod[0] as number);
    this.vPrediction = o.predictionType === 'v_prediction';
    this.ratio = Math.floor(o.numTrainTimesteps / steps);
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  step(modelOutput: Float32Array, index: number, sample: Float32Array): Float32Array {
    checkStep(this.kind, this.counter, index, modelOutput, sample);
    const t = this.timesteps[index] as number;
    const out = this.counter < this.prk.length && !this.skipPrk ? this.stepPrk(modelOutput, t, sample) : this.stepPlms(modelOutput, t, sample);
    this.counter++;
    return out;
  }

  private stepPrk(modelOutput: Float32Array, timestep: number, sample: Float32Array): Float32Array {
    const prev = timestep - (this.counter % 2 ? 0 : Math.floor(this.ratio / 2));
    const t = this.prk[Math.floor(this.counter / 4) * 4] as number;
    const phase = this.counter % 4;
    let output = modelOutput;
    if (phase === 0) {
      this.curModelOutput = scaleAdd(null, 1 / 6, modelOutput);
      this.ets.push(modelOutput);
      this.curSample = sample;
    } else if (phase === 1 || phase === 2) {
      this.curModelOutput = scaleAdd(this.curModelOutput, 1 / 3, modelOutput);
    } else {
      output = scaleAdd(this.curModelOutput, 1 / 6, modelOutput);
      this.curModelOutput = null;
    }
    return this.prevSample(this.curSample ?? sample, t, prev, output);
  }

  private stepPlms(modelOutput: Float32Array, timestep: number, sample: Float32Array): Float32Array {
    let t = timestep;
    let prev = timestep - this.ratio;
    if (this.counter !== 1) {
      this.ets = [...this.ets.slice(-3), modelOutput];
    } else {
      prev = timestep;
      t = timestep + this.ratio;
    }
    const e = this.ets;
    const at = (k: number): Float32Array => e[e.length - k] as Float32Array;
    let output: Float32Array;
    let x = sample;
    if (e.length === 1 && this.counter === 0) {
      output = modelOutput;
      this.curSample = sample;
    } else if (e.length === 1 && this.counter === 1) {
      output = combine([[1, modelOutput], [1, at(1)]], 2);
      x = this.curSample ?? sample;
      this.curSample = null;
    } else if (e.length === 2) output = combine([[3, at(1)], [-1, at(2)]], 2);
    else if (e.length === 3) output = combine([[23, at(1)], [-16, at(2)], [5, at(3)]], 12);
    else output = combine([[55, at(1)], [-59, at(2)], [37, at(3)], [-9, at(4)]], 24, true);
    return this.prevSample(x, t, prev, output);
  }

  /** PNDM's transfer from t to prev (formula (9) of the paper). */
  private prevSample(sample: Float32Array, t: number, prev: number, modelOutput: Float32Array): Float32Array {
    const at = this.alphasCumprod[t] as number;
    const ap = prev >= 0 ? (this.alphasCumprod[prev] as number) : this.finalAlphaCumprod;
    const bt = f32(1 - at);
    const bp = f32(1 - ap);
    const sa = f32(Math.sqrt(at));
    const sb = f32(Math.sqrt(bt));
    const sampleCoef = f32(Math.sqrt(f32(ap / at)));
    const denom = f32(f32(at * f32(Math.sqrt(bp))) + f32(Math.sqrt(f32(f32(at * bt) * ap))));
    const diff = f32(ap - at);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < sample.length; i++) {
      const x = sample[i] as number;
      let m = modelOutput[i] as number;
      if (this.vPrediction) m = f32(f32(sa * m) + f32(sb * x));
      out[i] = f32(f32(sampleCoef * x) - f32(f32(diff * m) / denom));
    }
    return out;
  }
}

/** (sum_k c_k * x_k) / d (or * (1/d) when `reciprocal`, as diffusers writes the 4th order) with
 * float32 rounding after each operation, as the PyTorch expression does. */
function combine(terms: ReadonlyArray<readonly [number, Float32Array]>, d: number, reciprocal = false): Float32Array {
  const inv = f32(1 / d);
  const first = terms[0]?.[1] as Float32Array;
  const out = new Float32Array(first.length);
  for (let i = 0; i < out.length; i++) {
    let acc = 0;
    terms.forEach(([c, x], k) => {
      const v = c === 1 ? (x[i] as number) : f32(c * (x[i] as number));
      acc = k === 0 ? v : f32(acc + v);
    });
    out[i] = reciprocal ? f32(inv * acc) : f32(acc / d);
  }
  return out;
}

/** (acc ?? 0) + c * x in float32. */
function scaleAdd(acc: Float32Array | null, c: number, x: Float32Array): Float32Array {
  const cf = f32(c);
  return Float32Array.from(x, (v, i) => f32((acc ? (acc[i] as number) : 0) + f32(cf * v)));
}
