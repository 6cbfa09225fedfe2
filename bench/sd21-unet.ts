// Scale check (issue 4 item 7): the real SD 2.1 UNet config with seeded random weights (865.9M
// parameters, 3.46 GB float32) written as a diffusers safetensors folder, built by the engine from
// that folder's weights (file sources, never gathered in one buffer), written as ONNX with external
// data, and run once at a 32x32 latent (256 px) on the CPU provider; then diffusers runs the same
// folder on the same inputs and threads. Prints `name: value` lines (times, peak RSS, ours/torch
// ratios, max relative difference). A standalone script, not a bench/run.ts case (those are
// *.bench.ts blocks with a forward+backward twin):
//   npx tsx bench/sd21-unet.ts [--threads N] [--keep DIR] [--no-torch]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { presetUNetConfig } from '../src/engine/models/sd/structure/presets';
import { randomWeights } from '../src/engine/models/sd/unet/layers';
import { UNET_OUTPUT, buildUNet } from '../src/engine/models/sd/unet/unet';
import { writeModel } from '../src/engine/onnx';
import { hostTensor, loadSession, type HostTensor } from '../src/engine/runtime';
import { openSafetensors, tensorSource } from '../src/engine/weights';
import { decodeNpy } from '../tests/oracle/sd_components/npy-read';
import { encodeNpy } from '../tests/oracle/ts/npy';
import { writeSd21Folder } from './sd21-folder';
import { venvPython } from './torch-reference';

const LATENT = 32;
const TOKENS = 77;

function line(name: string, value: string | number): void {
  console.log(`${name}: ${value}`);
}

function peakRssMb(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}

async function timed<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const start = performance.now();
  const out = await fn();
  line(`${name}_s`, ((performance.now() - start) / 1000).toFixed(2));
  return out;
}

async function writeFolder(dir: string): Promise<string> {
  const { path, params } = await writeSd21Folder(dir);
  line('sd21_unet_params', params);
  return path;
}

function inputs(): Record<string, HostTensor> {
  const rand = randomWeights(5);
  const draw = (name: string, shape: number[]): HostTensor => hostTensor('float32', shape, rand({ name, shape }).data as Float32Array);
  return { sample: draw('sample', [1, 4, LATENT, LATENT]), timestep: hostTensor('float32', [1], new Float32Array([500])), encoder_hidden_states: draw('context', [1, TOKENS, 1024]) };
}

async function runOurs(dir: string, weightsPath: string, threads: number, feeds: Record<string, HostTensor>): Promise<{ out: HostTensor; seconds: number }> {
  const file = await openSafetensors(weightsPath);
  const config = presetUNetConfig('sd21');
  const built = await timed('ours_build', () => buildUNet(config, {
    batch: 1, height: LATENT, width: LATENT, textLength: TOKENS, name: 'sd21_unet',
    weights: (spec) => { const t = tensorSource(file, spec.name, 'float32'); return { dtype: t.dtype, data: t.source }; },
  }));
  line('ours_nodes', built.graph.nodes.length);
  const written = await timed('ours_write_onnx', () => writeModel(built.graph, join(dir, 'unet.onnx')));
  line('ours_external_data_gb', (written.externalBytes / 1e9).toFixed(2));
  const session = await timed('ours_session_load', () => loadSession({ path: written.modelPath }, 'cpu', { intraOpThreads: threads, interOpThreads: 1 }));
  try {
    await timed('ours_first_forward', () => session.run(feeds));
    const start = performance.now();
    const result = await session.run(feeds);
    const seconds = (performance.now() - start) / 1000;
    line('ours_forward_s', seconds.toFixed(2));
    line('ours_peak_rss_mb', peakRssMb());
    const out = result[UNET_OUTPUT];
    if (!out) throw new Error('no UNet output');
    return { out, seconds };
  } finally {
    await session.dispose();
  }
}

function runTorch(dir: string, threads: number, feeds: Record<string, HostTensor>): { out: HostTensor; seconds: number } | string {
  const python = venvPython(join(import.meta.dirname, '..'));
  if (!existsSync(python)) return 'no tests/oracle/.venv (run `npm run test:oracle` once)';
  for (const [name, t] of Object.entries(feeds)) writeFileSync(join(dir, `${name}.npy`), encodeNpy(t));
  const done = spawnSync(python, [join(import.meta.dirname, 'sd21_unet_torch.py'), dir, String(threads)], { encoding: 'utf8', env: { ...process.env, HF_HUB_OFFLINE: '1' } });
  if (done.status !== 0) return `diffusers failed: ${(done.stderr ?? '').trim().slice(-500)}`;
  const fields = Object.fromEntries(done.stdout.trim().split('\n').map((l) => l.split(': ') as [string, string]));
  for (const [k, v] of Object.entries(fields)) line(`torch_${k}`, v);
  return { out: decodeNpy(readFileSync(join(dir, 'torch_out.npy'))), seconds: Number(fields.forward_s) };
}

function maxRelative(ours: HostTensor, ref: HostTensor): number {
  let sq = 0;
  for (const v of ref.data) sq += Number(v) ** 2;
  const scale = Math.sqrt(sq / ref.data.length);
  let worst = 0;
  for (let i = 0; i < ref.data.length; i++) worst = Math.max(worst, Math.abs(Number(ours.data[i]) - Number(ref.data[i])) / (Math.abs(Number(ref.data[i])) + scale));
  return worst;
}

async function main(argv: readonly string[]): Promise<void> {
  const threads = argv.includes('--threads') ? Number(argv[argv.indexOf('--threads') + 1]) : cpus().length;
  const keep = argv.includes('--keep') ? argv[argv.indexOf('--keep') + 1] : undefined;
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'aptp-sd21-'));
  line('threads', threads);
  try {
    const weights = join(dir, 'unet', 'diffusion_pytorch_model.safetensors');
    if (!existsSync(weights)) await timed('write_safetensors', () => writeFolder(dir));
    const feeds = inputs();
    const ours = await runOurs(dir, weights, threads, feeds);
    if (argv.includes('--no-torch')) return;
    const torch = runTorch(dir, threads, feeds);
    if (typeof torch === 'string') return line('torch', torch);
    line('forward_ratio_ours_over_torch', (ours.seconds / torch.seconds).toFixed(2));
    line('max_relative_difference', maxRelative(ours.out, torch.out).toExponential(2));
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((cause: unknown) => {
  console.error(`sd21-unet bench: ${cause instanceof Error ? cause.stack ?? cause.message : String(cause)}`);
  process.exit(1);
});
