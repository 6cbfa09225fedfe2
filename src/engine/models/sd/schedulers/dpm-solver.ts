// DPM-Solver++ 2M (Lu et al. 2022), the multistep second-order data-prediction solver, as diffusers'
// DPMSolverMultistepScheduler with algorithm_type "dpmsolver++": midpoint or heun second-order
// update, first order on the first step and, per lower_order_final / euler_at_final /
// final_sigmas_type, on the last (and for short schedules second-to-last) steps.
import { EngineError } from '../../../core/errors';
import { configChoice, configInt, configNumber, flag, resolveNoiseSchedule, type NoiseScheduleOptions, type SchedulerConfigInput } from './config';
import { arangeDown, roundHalfEven } from './ddim';
import { refuseSigmaVariants } from './euler';
import { checkStep, checkSteps, type Sampler } from './sampler';
import { f32, linspace, noiseTables, sigmasFromAlphasCumprod } from './schedule';

/** DPMSolverMultistepScheduler.set_timesteps' integer timesteps, descending. */
export function dpmTimesteps(o: NoiseScheduleOptions, steps: number, alphasCumprod: Float32Array, lambdaMinClipped: number): number[] {
  checkSteps(steps, o.numTrainTimesteps);
  const lambdas = Array.from(alphasCumprod, (a) => f32(f32(Math.log(f32(Math.sqrt(a)))) - f32(Math.log(f32(Math.sqrt(f32(1 - a)))))));
  const clipped = lambdas.filter((l) => l < lambdaMinClipped).length;
  const last = o.numTrainTimesteps - clipped;
  if (o.timestepSpacing === 'linspace') return linspace(0, last - 1, steps + 1).map(roundHalfEven).reverse().slice(0, -1);
  if (o.timestepSpacing === 'leading') {
    const ratio = Math.floor(last / (steps + 1));
    return Array.from({ length: steps }, (_, i) => (steps - i) * ratio + o.stepsOffset);
  }
  return arangeDown(last, 0, o.numTrainTimesteps / steps).map((t) => roundHalfEven(t) - 1);
}

interface Coefs {
  readonly alpha: number;
  readonly sigma: number;
  readonly lambda: number;
}

export class DpmSolverSampler implements Sampler {
  readonly kind = 'dpmpp-2m';
  readonly timesteps: readonly number[];
  readonly initNoiseSigma = 1;
  readonly sigmas: Float32Array;
  private readonly order: number;
  private readonly heun: boolean;
  private readonly vPrediction: boolean;
  private readonly lowerOrderFinal: boolean;
  private readonly eulerAtFinal: boolean;
  private readonly finalZero: boolean;
  private readonly outputs: Float32Array[] = [];
  private lowerOrderNums = 0;
  private next = 0;

  constructor(raw: SchedulerConfigInput, steps: number) {
    refuseSigmaVariants(raw);
    configChoice('algorithm_type', raw.algorithm_type, ['dpmsolver++'] as const, 'dpmsolver++');
    if (raw.variance_type !== undefined && raw.variance_type !== null) throw new EngineError('invalid-argument', `scheduler_config.json: variance_type ${JSON.stringify(raw.variance_type)} asks for a learned-variance model output; SD UNets predict noise only, remove the key.`, { key: 'variance_type' });
    if (raw.use_dynamic_shifting === true) throw new EngineError('invalid-argument', 'scheduler_config.json: use_dynamic_shifting is for flow-matching models; set it to false.', { key: 'use_dynamic_shifting' });
    if (raw.thresholding === true) throw new EngineError('invalid-argument', 'scheduler_config.json: thresholding (dynamic) is not supported for latent diffusion; set it to false.', { key: 'thresholding' });
    const o = resolveNoiseSchedule(raw, { timestepSpacing: 'linspace' });
    this.order = configInt('solver_order', raw.solver_order, 2);
    if (this.order > 2) throw new EngineError('invalid-argument', `scheduler_config.json: solver_order ${this.order} is not supported; DPM-Solver++ 2M uses 2 (or 1).`, { key: 'solver_order' });
    this.heun = configChoice('solver_type', raw.solver_type, ['midpoint', 'heun'] as const, 'midpoint') === 'heun';
    this.lowerOrderFinal = flag('lower_order_final', raw.lower_order_final, true);
    this.eulerAtFinal = flag('euler_at_final', raw.euler_at_final, false);
    this.finalZero = configChoice('final_sigmas_type', raw.final_sigmas_type, ['zero', 'sigma_min'] as const, 'zero') === 'zero';
    this.vPrediction = o.predictionType === 'v_prediction';
    const alphasCumprod = noiseTables(o, true).alphasCumprod;
    const trainSigmas = sigmasFromAlphasCumprod(alphasCumprod);
    this.timesteps = Object.freeze(dpmTimesteps(o, steps, alphasCumprod, configNumber('lambda_min_clipped', raw.lambda_min_clipped, -Infinity)));
    const last = this.finalZero ? 0 : (trainSigmas[0] as number);
    this.sigmas = Float32Array.from([...this.timesteps.map((t) => trainSigmas[t] as number), last]);
  }

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  /** alpha_t = 1/sqrt(sigma^2+1), sigma_t = sigma*alpha_t, lambda = log alpha_t - log sigma_t (float32). */
  private coefs(index: number): Coefs {
    const s = this.sigmas[index] as number;
    const alpha = f32(1 / f32(Math.sqrt(f32(f32(s * s) + 1))));
    const sigma = f32(s * alpha);
    return { alpha, sigma, lambda: f32(f32(Math.log(alpha)) - f32(Math.log(sigma))) };
  }

  step(modelOutput: Float32Array, index: number, sample: Float32Array): Float32Array {
    checkStep(this.kind, this.next, index, modelOutput, sample);
    this.next++;
    const n = this.timesteps.length;
    const lastStep = index === n - 1 && (this.eulerAtFinal || (this.lowerOrderFinal && n < 15) || this.finalZero);
    const x0 = this.dataPrediction(modelOutput, index, sample);
    this.outputs.push(x0);
    if (this.outputs.length > this.order) this.outputs.shift();
    const out = this.order === 1 || this.lowerOrderNums < 1 || lastStep ? this.firstOrder(x0, index, sample) : this.secondOrder(index, sample);
    if (this.lowerOrderNums < this.order) this.lowerOrderNums++;
    return out;
  }

  private dataPrediction(m: Float32Array, index: number, x: Float32Array): Float32Array {
    const { alpha, sigma } = this.coefs(index);
    if (this.vPrediction) return x.map((v, i) => f32(f32(alpha * v) - f32(sigma * (m[i] as number))));
    return x.map((v, i) => f32(f32(v - f32(sigma * (m[i] as number))) / alpha));
  }

  private firstOrder(x0: Float32Array, index: number, x: Float32Array): Float32Array {
    const s = this.coefs(index);
    const t = this.coefs(index + 1);
    const h = f32(t.lambda - s.lambda);
    const a = f32(t.sigma / s.sigma);
    const b = f32(t.alpha * f32(f32(Math.exp(-h)) - 1));
    return x.map((v, i) => f32(f32(a * v) - f32(b * (x0[i] as number))));
  }

  private secondOrder(index: number, x: Float32Array): Float32Array {
    const m0 = this.outputs[this.outputs.length - 1] as Float32Array;
    const m1 = this.outputs[this.outputs.length - 2] as Float32Array;
    const t = this.coefs(index + 1);
    const s0 = this.coefs(index);
    const s1 = this.coefs(index - 1);
    const h = f32(t.lambda - s0.lambda);
    const r0 = f32(f32(s0.lambda - s1.lambda) / h);
    const invR0 = f32(1 / r0);
    const em1 = f32(f32(Math.exp(-h)) - 1);
    const a = f32(t.sigma / s0.sigma);
    const b = f32(t.alpha * em1);
    const c = this.heun ? f32(t.alpha * f32(f32(em1 / h) + 1)) : f32(0.5 * b);
    return x.map((v, i) => {
      const d1 = f32(invR0 * f32((m0[i] as number) - (m1[i] as number)));
      const base = f32(f32(a * v) - f32(b * (m0[i] as number)));
      return this.heun ? f32(base + f32(c * d1)) : f32(base - f32(c * d1));
    });
  }
}
