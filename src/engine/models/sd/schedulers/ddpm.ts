// DDPM training side: forward noising q(x_t | x_0), the regression targets (epsilon or v) and the
// min-SNR loss weights. Latents are flat float32 arrays of `batch` equal-sized samples, one timestep
// per sample, as the pruning trainer feeds them to the UNet.
import { EngineError } from '../../../core/errors';
import { resolveNoiseSchedule, type NoiseScheduleOptions, type PredictionType, type SchedulerConfigInput } from './config';
import { f32, noiseTables, type NoiseTables } from './schedule';

/**
 * Which min-SNR-gamma formula (Hang et al. 2023) to weight the per-sample MSE with.
 * - 'diffusers': current diffusers train_text_to_image: min(snr, gamma) / snr for epsilon and
 *   min(snr, gamma) / (snr + 1) for v-prediction.
 * - 'reference': the APTP authors' trainer: for v-prediction snr is first replaced by snr + 1, giving
 *   min(snr + 1, gamma) / (snr + 1); for epsilon it equals 'diffusers'.
 */
export type MinSnrFormula = 'diffusers' | 'reference';

export class DdpmTraining {
  readonly options: NoiseScheduleOptions;
  readonly tables: NoiseTables;

  constructor(raw: SchedulerConfigInput = {}, overrides: { readonly predictionType?: PredictionType } = {}) {
    const o = resolveNoiseSchedule(raw, { timestepSpacing: 'leading' });
    this.options = Object.freeze({ ...o, predictionType: overrides.predictionType ?? o.predictionType });
    this.tables = noiseTables(this.options, false);
  }

  get predictionType(): PredictionType {
    return this.options.predictionType;
  }

  /** sqrt(alpha-bar_t) * x0 + sqrt(1 - alpha-bar_t) * noise, per sample. */
  addNoise(x0: Float32Array, noise: Float32Array, timesteps: readonly number[]): Float32Array {
    return this.mix(x0, noise, timesteps, (a, b, x, n) => a * x + b * n);
  }

  /** v = sqrt(alpha-bar_t) * noise - sqrt(1 - alpha-bar_t) * x0, per sample. */
  getVelocity(x0: Float32Array, noise: Float32Array, timesteps: readonly number[]): Float32Array {
    return this.mix(x0, noise, timesteps, (a, b, x, n) => a * n - b * x);
  }

  /** The UNet's regression target for the configured prediction type. */
  target(x0: Float32Array, noise: Float32Array, timesteps: readonly number[]): Float32Array {
    return this.predictionType === 'epsilon' ? Float32Array.from(noise) : this.getVelocity(x0, noise, timesteps);
  }

  /** SNR(t) = alpha-bar_t / (1 - alpha-bar_t), as diffusers' compute_snr (sqrt, divide, square in float32). */
  snr(timesteps: readonly number[]): Float32Array {
    return Float32Array.from(timesteps, (t) => {
      const ac = this.alphaBar(t);
      const ratio = f32(f32(Math.sqrt(ac)) / f32(Math.sqrt(f32(1 - ac))));
      return f32(ratio * ratio);
    });
  }

  /** Per-sample min-SNR-gamma loss weights; see MinSnrFormula for which formula does what. */
  minSnrWeights(timesteps: readonly number[], gamma: number, formula: MinSnrFormula): Float32Array {
    if (!(gamma > 0)) throw new EngineError('invalid-argument', `min-SNR gamma must be positive (got ${gamma}); 5 is the usual value.`, { gamma });
    const v = this.predictionType === 'v_prediction';
    return this.snr(timesteps).map((s) => {
      if (!v) return f32(Math.min(s, gamma) / s);
      if (formula === 'reference') {
        const s1 = f32(s + 1);
        return f32(Math.min(s1, gamma) / s1);
      }
      return f32(Math.min(s, gamma) / f32(s + 1));
    });
  }

  private alphaBar(t: number): number {
    const ac = this.tables.alphasCumprod[t];
    if (!Number.isInteger(t) || ac === undefined) {
      throw new EngineError('invalid-argument', `Training timestep ${t} is outside 0..${this.options.numTrainTimesteps - 1}.`, { timestep: t });
    }
    return ac;
  }

  private mix(x0: Float32Array, noise: Float32Array, timesteps: readonly number[], f: (a: number, b: number, x: number, n: number) => number): Float32Array {
    if (x0.length !== noise.length || timesteps.length === 0 || x0.length % timesteps.length !== 0) {
      throw new EngineError('shape-mismatch', `Latents (${x0.length}) and noise (${noise.length}) must be the same size and split evenly over ${timesteps.length} timesteps.`, {});
    }
    const per = x0.length / timesteps.length;
    const out = new Float32Array(x0.length);
    timesteps.forEach((t, s) => {
      const ac = this.alphaBar(t);
      const a = f32(Math.sqrt(ac));
      const b = f32(Math.sqrt(f32(1 - ac)));
      for (let i = s * per; i < (s + 1) * per; i++) out[i] = f(a, b, x0[i] as number, noise[i] as number);
    });
    return out;
  }
}
