// Issue 9 item 9: one APTP pruning step (teacher forward, gated student forward, the three UNet
// losses, backward to the gates; step/unet-step.ts) of the SD 2.1-config UNet at 32x32 latents with
// seeded random weights (external data), ours against PyTorch doing the same on the same weights,
// inputs and threads (gates through forward hooks on the same sites, bench/aptp_step_torch.py), at
// each batch size: start-up (build + write + load), step time, peak RSS, ratios and the largest
// gate-gradient difference. Then steps/s of the whole trainer loop on a tiny model. Each batch size
// runs in a child process so peak RSS is per configuration.
//   npx tsx bench/aptp-step.ts [--batches 1,2] [--threads N] [--repeats 3] [--no-torch] [--tiny-only]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildUNetStep, STEP_INPUTS, STEP_OUTPUTS } from '../src/engine/aptp/step/unet-step';
import { presetUNetConfig } from '../src/engine/models/sd/structure/presets';
import { randomWeights } from '../src/engine/models/sd/unet/layers';
import { writeModel } from '../src/engine/onnx';
import { hostTensor, loadSession, type HostTensor } from '../src/engine/runtime';
import { openSafetensors, tensorSource } from '../src/engine/weights';
import { decodeNpy } from '../tests/oracle/sd_components/npy-read';
import { encodeNpy } from '../tests/oracle/ts/npy';
import { writeSd21Folder } from './sd21-weights';
import { venvPython } from './torch-reference';

const LATENT = 32;
const TOKENS = 77;
const line = (name: string, value: string | number): void => console.log(`${name}: ${value}`);
const arg = (argv: readonly string[], name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);

function peakRssMb(): number {
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN) / 1024);
}

function feeds(batch: number, l: number): Record<string, HostTensor> {
  const r = randomWeights(9);
  const draw = (name: string, shape: number[]) => hostTensor('float32', shape, r({ name, shape }).data as Float32Array);
  return {
    sample: draw('sample', [batch, 4, LATENT, LATENT]), timestep: hostTensor('float32', [batch], Float32Array.from({ length: batch }, (_, i) => 200 + 500 * i)),
    encoder_hidden_states: draw('context', [batch, TOKENS, 1024]), [STEP_INPUTS.target]: draw('target', [batch, 4, LATENT, LATENT]),
    [STEP_INPUTS.snrWeight]: hostTensor('float32', [batch], new Float32Array(batch).fill(0.5)),
    [STEP_INPUTS.termWeights]: hostTensor('float32', [3], Float32Array.of(1, 0.2, 0.2)),
    arch_vector: hostTensor('float32', [batch, l], Float32Array.from({ length: batch * l }, (_, i) => 0.6 + 0.4 * Math.abs(Math.sin(i)))),
  };
}

/** Child process: our step at one batch size; writes inputs for the torch side and our gradient. */
async function oursChild(dir: string, batch: number, threads: number, repeats: number): Promise<void> {
  const file = await openSafetensors(join(dir, 'unet', 'diffusion_pytorch_model.safetensors'));
  const t0 = performance.now();
  const step = buildUNetStep({ config: presetUNetConfig('sd21'), microBatch: batch, height: LATENT, width: LATENT, textLength: TOKENS, weights: (spec) => { const t = tensorSource(file, spec.name, 'float32'); return { dtype: t.dtype, data: t.source }; } });
  const t1 = performance.now();
  const written = await writeModel(step.graph, join(dir, `step-${batch}.onnx`));
  const t2 = performance.now();
  const session = await loadSession({ path: written.modelPath }, 'cpu', { intraOpThreads: threads, interOpThreads: 1 });
  const t3 = performance.now();
  line('ours_build_s', ((t1 - t0) / 1000).toFixed(2));
  line('ours_write_s', ((t2 - t1) / 1000).toFixed(2));
  line('ours_load_s', ((t3 - t2) / 1000).toFixed(2));
  line('ours_startup_s', ((t3 - t0) / 1000).toFixed(2));
  const f = feeds(batch, step.layout.vectorLength);
  for (const [name, t] of Object.entries(f)) writeFileSync(join(dir, `${name}.npy`), encodeNpy(t));
  writeFileSync(join(dir, 'layout.json'), JSON.stringify({ width_groups: step.layout.widthGroups, depth_groups: step.layout.depthGroups }));
  let start = performance.now();
  let out = await session.run(f);
  line('ours_first_step_s', ((performance.now() - start) / 1000).toFixed(2));
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i++) {
    start = performance.now();
    out = await session.run(f);
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  line('ours_step_s', best.toFixed(3));
  line('ours_peak_rss_mb', peakRssMb());
  writeFileSync(join(dir, 'ours_grad.npy'), encodeNpy(out[STEP_OUTPUTS.gradGates] as HostTensor));
  await session.dispose();
}

function child(args: string[]): Record<string, string> {
  const done = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (done.status !== 0) throw new Error(`child failed: ${done.stderr.slice(-1500)}`);
  return Object.fromEntries(done.stdout.trim().split('\n').filter((l) => l.includes(': ')).map((l) => l.split(': ') as [string, string]));
}

function maxRelative(ours: HostTensor, ref: HostTensor): number {
  let sq = 0;
  for (const v of ref.data) sq += Number(v) ** 2;
  const scale = Math.sqrt(sq / ref.data.length);
  let worst = 0;
  for (let i = 0; i < ref.data.length; i++) worst = Math.max(worst, Math.abs(Number(ours.data[i]) - Number(ref.data[i])) / (Math.abs(Number(ref.data[i])) + scale));
  return worst;
}

function sd21(dir: string, batch: number, threads: number, repeats: number, torch: boolean): void {
  const ours = child(['--child', dir, String(batch), String(threads), String(repeats)]);
  for (const [k, v] of Object.entries(ours)) line(`b${batch}_${k}`, v);
  if (!torch) return;
  const python = venvPython(join(import.meta.dirname, '..'));
  if (!existsSync(python)) return line('torch', 'no tests/oracle/.venv (run `npm run test:oracle` once)');
  const done = spawnSync(python, [join(import.meta.dirname, 'aptp_step_torch.py'), dir, String(threads), String(repeats)], { encoding: 'utf8', env: { ...process.env, HF_HUB_OFFLINE: '1' } });
  if (done.status !== 0) return line('torch', `failed: ${(done.stderr ?? '').trim().slice(-500)}`);
  const t = Object.fromEntries(done.stdout.trim().split('\n').map((l) => l.split(': ') as [string, string]));
  for (const [k, v] of Object.entries(t)) line(`b${batch}_torch_${k}`, v);
  line(`b${batch}_step_ratio_ours_over_torch`, (Number(ours['ours_step_s']) / Number(t['step_s'])).toFixed(2));
  line(`b${batch}_peak_rss_ratio_ours_over_torch`, (Number(ours['ours_peak_rss_mb']) / Number(t['peak_rss_mb'])).toFixed(2));
  line(`b${batch}_gate_grad_max_relative_difference`, maxRelative(decodeNpy(readFileSync(join(dir, 'ours_grad.npy'))), decodeNpy(readFileSync(join(dir, 'torch_grad.npy')))).toExponential(2));
}

async function tinySteps(threads: number): Promise<void> {
  const { clusteredData, tinyPrune } = await import('../tests/aptp/tiny-prune');
  const setup = tinyPrune(clusteredData(32, 4), { steps: 12, batch: 8, microBatch: 4, experts: 4, pretrainSteps: 2, warmupSteps: 2, threads });
  await setup.stepper.warm(['predictor', 'code']);
  let state = setup.initial;
  const start = performance.now();
  for (let s = 0; s < 10; s++) state = (await setup.stepper.run(s, s < 2 ? 'predictor' : 'code', 1e-3, state)).state;
  line('tiny_steps_per_s', (10 / ((performance.now() - start) / 1000)).toFixed(2));
  await setup.stepper.dispose();
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv[0] === '--child') return oursChild(argv[1] as string, Number(argv[2]), Number(argv[3]), Number(argv[4]));
  const threads = Number(arg(argv, '--threads') ?? cpus().length);
  line('threads', threads);
  await tinySteps(threads);
  if (argv.includes('--tiny-only')) return;
  const dir = mkdtempSync(join(tmpdir(), 'aptp-step-'));
  try {
    await writeSd21Folder(dir);
    for (const batch of (arg(argv, '--batches') ?? '1,2').split(',').map(Number)) sd21(dir, batch, threads, Number(arg(argv, '--repeats') ?? 3), !argv.includes('--no-torch'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((cause: unknown) => {
  console.error(`aptp-step bench: ${cause instanceof Error ? cause.stack ?? cause.message : String(cause)}`);
  process.exit(1);
});
