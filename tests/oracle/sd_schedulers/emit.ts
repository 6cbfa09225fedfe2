// Oracle bridge for the schedulers: runs every sampler case (a scheduler_config.json, a step count,
// random model outputs) through the engine's sampler and the DDPM training cases through
// DdpmTraining, writing inputs and every intermediate result as .npy plus case.json per case under
// <out>/<case>/ for test_sd_schedulers.py to replay with diffusers.
//   tsx tests/oracle/sd_schedulers/emit.ts --out tests/oracle/cache/sd_schedulers
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DdpmTraining, createSampler, type SamplerKind, type SchedulerConfigInput } from '../../../src/engine/models/sd/schedulers';
import { hostTensor } from '../../../src/engine/runtime';
import { Random } from '../../../src/engine/train';
import { encodeNpy } from '../ts/npy';

const SD1: SchedulerConfigInput = { beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear', skip_prk_steps: true, steps_offset: 1, set_alpha_to_one: false, clip_sample: false };
const SD2V: SchedulerConfigInput = { ...SD1, prediction_type: 'v_prediction' };
const SHAPE = [2, 4, 6, 6];

interface SamplerCase {
  readonly name: string;
  readonly kind: SamplerKind;
  readonly config: SchedulerConfigInput;
  readonly steps: number;
}

const KINDS: readonly SamplerKind[] = ['ddim', 'pndm', 'euler', 'dpmpp-2m'];
const SAMPLER_CASES: readonly SamplerCase[] = [
  ...KINDS.flatMap((kind) => [
    { name: `${kind}_sd1_eps_20`, kind, config: SD1, steps: 20 },
    { name: `${kind}_sd2_v_25`, kind, config: SD2V, steps: 25 },
    { name: `${kind}_trailing_eps_7`, kind, config: { ...SD1, timestep_spacing: 'trailing' }, steps: 7 },
    { name: `${kind}_linspace_v_9`, kind, config: { ...SD2V, timestep_spacing: 'linspace' }, steps: 9 },
    { name: `${kind}_leading_v_12`, kind, config: { ...SD2V, timestep_spacing: 'leading' }, steps: 12 },
  ]),
  { name: 'ddim_clip_alpha_one_linear', kind: 'ddim', config: { clip_sample: true, set_alpha_to_one: true }, steps: 10 },
  { name: 'ddim_cosine_v', kind: 'ddim', config: { beta_schedule: 'squaredcos_cap_v2', prediction_type: 'v_prediction', clip_sample: false }, steps: 8 },
  { name: 'ddim_zero_snr_trailing_v', kind: 'ddim', config: { ...SD2V, rescale_betas_zero_snr: true, timestep_spacing: 'trailing' }, steps: 10 },
  { name: 'pndm_prk_eps_10', kind: 'pndm', config: { ...SD1, skip_prk_steps: false }, steps: 10 },
  { name: 'pndm_prk_v_6', kind: 'pndm', config: { ...SD2V, skip_prk_steps: false }, steps: 6 },
  { name: 'euler_zero_snr_trailing_v', kind: 'euler', config: { ...SD2V, rescale_betas_zero_snr: true, timestep_spacing: 'trailing' }, steps: 10 },
  { name: 'euler_sigma_min_eps', kind: 'euler', config: { ...SD1, final_sigmas_type: 'sigma_min', timestep_spacing: 'linspace' }, steps: 6 },
  { name: 'dpmpp-2m_heun_eps_16', kind: 'dpmpp-2m', config: { ...SD1, solver_type: 'heun' }, steps: 16 },
  { name: 'dpmpp-2m_order1_v', kind: 'dpmpp-2m', config: { ...SD2V, solver_order: 1 }, steps: 8 },
  { name: 'dpmpp-2m_sigma_min_eps_5', kind: 'dpmpp-2m', config: { ...SD1, final_sigmas_type: 'sigma_min', timestep_spacing: 'linspace' }, steps: 5 },
  { name: 'dpmpp-2m_no_lower_final_v', kind: 'dpmpp-2m', config: { ...SD2V, lower_order_final: false, final_sigmas_type: 'sigma_min' }, steps: 10 },
  { name: 'dpmpp-2m_lambda_clipped_v', kind: 'dpmpp-2m', config: { ...SD2V, lambda_min_clipped: -5.1, timestep_spacing: 'trailing' }, steps: 10 },
];

const CLASS: Readonly<Record<SamplerKind, string>> = { ddim: 'DDIMScheduler', pndm: 'PNDMScheduler', euler: 'EulerDiscreteScheduler', 'dpmpp-2m': 'DPMSolverMultistepScheduler' };
const size = SHAPE.reduce((a, b) => a * b, 1);
const npy = (dims: readonly number[], data: Float32Array): Uint8Array => encodeNpy(hostTensor('float32', dims, data));

function runSampler(c: SamplerCase, dir: string, rand: Random): void {
  const sampler = createSampler(c.kind, c.config, c.steps);
  const n = sampler.timesteps.length;
  const outputs = Float32Array.from(rand.normals(n * size));
  const samples = new Float32Array((n + 1) * size);
  const scaled = new Float32Array(n * size);
  let x: Float32Array = Float32Array.from(rand.normals(size), (v) => v * sampler.initNoiseSigma);
  samples.set(x, 0);
  for (let i = 0; i < n; i++) {
    scaled.set(sampler.scaleModelInput(x, i), i * size);
    x = sampler.step(outputs.subarray(i * size, (i + 1) * size), i, x);
    samples.set(x, (i + 1) * size);
  }
  writeFileSync(join(dir, 'model_outputs.npy'), npy([n, ...SHAPE], outputs));
  writeFileSync(join(dir, 'samples.npy'), npy([n + 1, ...SHAPE], samples));
  writeFileSync(join(dir, 'scaled_inputs.npy'), npy([n, ...SHAPE], scaled));
  const record = { name: c.name, kind: c.kind, class_name: CLASS[c.kind], config: c.config, steps: c.steps, timesteps: sampler.timesteps, init_noise_sigma: sampler.initNoiseSigma };
  writeFileSync(join(dir, 'case.json'), JSON.stringify(record, null, 2));
}

const TRAINING_CASES: ReadonlyArray<{ name: string; config: SchedulerConfigInput }> = [
  { name: 'train_sd1_eps', config: SD1 },
  { name: 'train_sd2_v', config: SD2V },
  { name: 'train_linear_eps', config: {} },
  { name: 'train_cosine_v', config: { beta_schedule: 'squaredcos_cap_v2', prediction_type: 'v_prediction' } },
  { name: 'train_zero_snr_v', config: { ...SD2V, rescale_betas_zero_snr: true } },
];

function runTraining(name: string, config: SchedulerConfigInput, dir: string, rand: Random): void {
  const ddpm = new DdpmTraining(config);
  const timesteps = [0, 1, 999, ...Array.from({ length: 5 }, () => rand.int(1000))];
  const batch = [timesteps.length, 4, 3, 3];
  const count = batch.reduce((a, b) => a * b, 1);
  const x0 = Float32Array.from(rand.normals(count));
  const noise = Float32Array.from(rand.normals(count));
  const t = timesteps.length;
  const write = (file: string, dims: readonly number[], data: Float32Array): void => writeFileSync(join(dir, file), npy(dims, data));
  write('betas.npy', [1000], ddpm.tables.betas);
  write('alphas_cumprod.npy', [1000], ddpm.tables.alphasCumprod);
  write('x0.npy', batch, x0);
  write('noise.npy', batch, noise);
  write('noisy.npy', batch, ddpm.addNoise(x0, noise, timesteps));
  write('velocity.npy', batch, ddpm.getVelocity(x0, noise, timesteps));
  write('target.npy', batch, ddpm.target(x0, noise, timesteps));
  const safe = timesteps.map((s) => (ddpm.tables.alphasCumprod[s] === 0 ? 998 : s));
  write('snr.npy', [t], ddpm.snr(safe));
  write('weights_diffusers.npy', [t], ddpm.minSnrWeights(safe, 5, 'diffusers'));
  write('weights_reference.npy', [t], ddpm.minSnrWeights(safe, 5, 'reference'));
  writeFileSync(join(dir, 'case.json'), JSON.stringify({ name, config, timesteps, snr_timesteps: safe, prediction_type: ddpm.predictionType, gamma: 5 }, null, 2));
}

function main(argv: readonly string[]): void {
  const out = argv[argv.indexOf('--out') + 1];
  if (!argv.includes('--out') || !out) throw new Error('usage: emit.ts --out <dir>');
  rmSync(out, { recursive: true, force: true });
  const rand = new Random(4242);
  for (const c of SAMPLER_CASES) {
    const dir = join(out, c.name);
    mkdirSync(dir, { recursive: true });
    runSampler(c, dir, rand);
  }
  for (const c of TRAINING_CASES) {
    const dir = join(out, c.name);
    mkdirSync(dir, { recursive: true });
    runTraining(c.name, c.config, dir, rand);
  }
  writeFileSync(join(out, 'cases.json'), JSON.stringify({ samplers: SAMPLER_CASES.map((c) => c.name), training: TRAINING_CASES.map((c) => c.name) }));
}

main(process.argv.slice(2));
