// Scheduler unit tests: timestep lists for the configs SD 1.x / 2.x ship with (values diffusers
// prints), internal consistency (DDIM eta=0 inversion, DDPM noise/velocity identities, exact steps
// on a known x0), config validation and misuse errors. The oracle suite compares against diffusers.
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../../src/engine/core/errors';
import { DdimSampler, DdpmTraining, EulerSampler, createSampler, samplerForClassName, SAMPLER_KINDS, type SchedulerConfigInput } from '../../../../../src/engine/models/sd/schedulers';
import { Random } from '../../../../../src/engine/train';

const SD1: SchedulerConfigInput = { beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', skip_prk_steps: true, steps_offset: 1, set_alpha_to_one: false, clip_sample: false };

function normals(n: number, seed: number): Float32Array {
  return Float32Array.from(new Random(seed).normals(n));
}

function maxAbs(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);
}

describe('timesteps', () => {
  it('match diffusers for the SD 1.5 scheduler config (Euler and DPM default to linspace)', () => {
    expect(createSampler('ddim', SD1, 10).timesteps).toEqual([901, 801, 701, 601, 501, 401, 301, 201, 101, 1]);
    expect(createSampler('pndm', SD1, 5).timesteps).toEqual([801, 601, 601, 401, 201, 1]);
    expect(createSampler('dpmpp-2m', SD1, 5).timesteps).toEqual([999, 799, 599, 400, 200]);
    expect(createSampler('euler', SD1, 4).timesteps).toEqual([999, 666, 333, 0]);
    expect(createSampler('euler', { ...SD1, timestep_spacing: 'leading' }, 4).timesteps).toEqual([751, 501, 251, 1]);
  });

  it('follow trailing and linspace spacing', () => {
    expect(createSampler('ddim', { ...SD1, timestep_spacing: 'trailing' }, 4).timesteps).toEqual([999, 749, 499, 249]);
    expect(createSampler('ddim', { ...SD1, timestep_spacing: 'linspace' }, 4).timesteps).toEqual([999, 666, 333, 0]);
    expect(createSampler('dpmpp-2m', { ...SD1, timestep_spacing: 'linspace' }, 3).timesteps).toEqual([999, 666, 333]);
    const euler = createSampler('euler', { ...SD1, timestep_spacing: 'linspace' }, 3).timesteps;
    expect(euler).toEqual([999, 499.5, 0]);
  });

  it('give PNDM with PRK steps its Runge-Kutta prefix', () => {
    const pndm = createSampler('pndm', { ...SD1, skip_prk_steps: false }, 10);
    expect(pndm.timesteps.slice(0, 12)).toEqual([901, 851, 851, 801, 801, 751, 751, 701, 701, 651, 651, 601]);
    expect(pndm.timesteps.length).toBe(12 + 7);
  });
});

describe('samplers', () => {
  it('DDIM with eta 0 inverts exactly: stepping from t to a later t and back recovers the sample', () => {
    const ddim = new DdimSampler({ ...SD1, timestep_spacing: 'trailing' }, 10);
    const x = normals(64, 1);
    const eps = normals(64, 2);
    const down = ddim.stepFrom(eps, 700, 500, x);
    const up = ddim.stepFrom(eps, 500, 700, down);
    expect(maxAbs(up, x)).toBeLessThan(1e-5);
  });

  it('DDIM with set_alpha_to_one lands exactly on x0 when fed the true noise', () => {
    const ddpm = new DdpmTraining(SD1);
    const x0 = normals(48, 3);
    const eps = normals(48, 4);
    const ddim = new DdimSampler({ ...SD1, set_alpha_to_one: true }, 1);
    expect(ddim.timesteps).toEqual([1]);
    expect(maxAbs(ddim.step(eps, 0, ddpm.addNoise(x0, eps, [1])), x0)).toBeLessThan(1e-5);
  });

  it('every sampler takes pure noise to x0 when the model is the ideal denoiser for a single x0', () => {
    const ddpm = new DdpmTraining(SD1);
    const x0 = Float32Array.from(normals(32, 5), (v) => 0.5 * v);
    for (const kind of SAMPLER_KINDS) {
      // set_alpha_to_one: DDIM/PNDM end at alpha-bar = 1 (x0 itself), as Euler and DPM end at sigma 0
      const s = createSampler(kind, { ...SD1, set_alpha_to_one: true }, 20);
      let x: Float32Array = Float32Array.from(normals(32, 6), (e) => e * s.initNoiseSigma);
      s.timesteps.forEach((t, i) => {
        const input = s.scaleModelInput(x, i);
        // Euler's scaled input is sqrt(alpha-bar) x0 + sqrt(1 - alpha-bar) eps at its own sigma
        const sigma = s instanceof EulerSampler ? (s.sigmas[i] as number) : 0;
        const ac = s instanceof EulerSampler ? 1 / (sigma * sigma + 1) : (ddpm.tables.alphasCumprod[t] as number);
        const eps = input.map((v, k) => (v - Math.sqrt(ac) * (x0[k] as number)) / Math.sqrt(1 - ac));
        x = s.step(eps, i, x);
      });
      expect(maxAbs(x, x0), kind).toBeLessThan(0.02);
    }
  });

  it('refuses steps out of order and mismatched sizes', () => {
    const s = createSampler('dpmpp-2m', SD1, 5);
    expect(() => s.step(new Float32Array(4), 1, new Float32Array(4))).toThrow(/step 0 is next/);
    expect(() => s.step(new Float32Array(4), 0, new Float32Array(5))).toThrow(EngineError);
  });
});

describe('DDPM training side', () => {
  it('noise and velocity satisfy x_t = a x0 + b eps and v = a eps - b x0 with a^2 + b^2 = 1', () => {
    const ddpm = new DdpmTraining({ ...SD1, prediction_type: 'v_prediction' });
    const x0 = normals(20, 6);
    const eps = normals(20, 7);
    const t = [10, 900];
    const xt = ddpm.addNoise(x0, eps, t);
    const v = ddpm.getVelocity(x0, eps, t);
    // with a^2 + b^2 = 1: a x_t - b v = x0 and b x_t + a v = eps
    t.forEach((step, s) => {
      const ac = ddpm.tables.alphasCumprod[step] as number;
      const a = Math.sqrt(ac);
      const b = Math.sqrt(1 - ac);
      for (let i = s * 10; i < (s + 1) * 10; i++) {
        expect(a * (xt[i] as number) - b * (v[i] as number)).toBeCloseTo(x0[i] as number, 5);
        expect(b * (xt[i] as number) + a * (v[i] as number)).toBeCloseTo(eps[i] as number, 5);
      }
    });
    expect(Array.from(ddpm.target(x0, eps, t))).toEqual(Array.from(v));
  });

  it('min-SNR weights: both formulas agree for epsilon and differ for v-prediction as documented', () => {
    const eps = new DdpmTraining(SD1);
    const v = new DdpmTraining(SD1, { predictionType: 'v_prediction' });
    const t = [5, 300, 999];
    expect(Array.from(eps.minSnrWeights(t, 5, 'reference'))).toEqual(Array.from(eps.minSnrWeights(t, 5, 'diffusers')));
    const snr = v.snr(t);
    const diffusers = v.minSnrWeights(t, 5, 'diffusers');
    const reference = v.minSnrWeights(t, 5, 'reference');
    t.forEach((_, i) => {
      const s = snr[i] as number;
      expect(diffusers[i]).toBeCloseTo(Math.min(s, 5) / (s + 1), 6);
      expect(reference[i]).toBeCloseTo(Math.min(s + 1, 5) / (s + 1), 6);
    });
    expect(() => v.minSnrWeights(t, 0, 'diffusers')).toThrow(/gamma must be positive/);
  });
});

describe('config', () => {
  it('refuses unknown values naming the key and what is supported', () => {
    expect(() => createSampler('ddim', { beta_schedule: 'sigmoid' }, 10)).toThrow(/beta_schedule .* supported: linear, scaled_linear, squaredcos_cap_v2/);
    expect(() => createSampler('euler', { use_karras_sigmas: true }, 10)).toThrow(/use_karras_sigmas is not supported/);
    expect(() => createSampler('dpmpp-2m', { algorithm_type: 'sde-dpmsolver++' }, 10)).toThrow(/algorithm_type/);
    expect(() => createSampler('pndm', SD1, 0)).toThrow(/Inference steps must be an integer in 1..1000/);
  });

  it('maps scheduler class names and refuses unknown ones', () => {
    expect(samplerForClassName('PNDMScheduler')).toBe('pndm');
    expect(samplerForClassName('DPMSolverMultistepScheduler')).toBe('dpmpp-2m');
    expect(() => samplerForClassName('LCMScheduler')).toThrow(/--scheduler/);
  });
});
