// Issue 9 item 9: one APTP pruning step (teacher forward, gated student forward, the three UNet
// losses, backward to the gates; step/unet-step.ts) of the SD 2.1-config UNet at 32x32 latents with
// seeded random weights (external data), ours against PyTorch doing the same on the same weights,
// inputs and threads (gates through forward hooks on the same sites, bench/aptp_step_torch.py), at
// each batch size: start-up (build + write + load), step time, peak RSS, ratios and the largest
// gate-gradient difference, then one table of them. Start-up is measured twice per batch size, each
// in its own child process: the first start of a shape (onnxruntime optimises the graph and the
// optimized-model cache saves it) and a later start (build, write with the weights linked in place,
// load the saved graph), which then runs the steps, so its peak RSS is the steady state's. Our
// steps and PyTorch's alternate, both processes loaded and driven line by line (line-child.ts), so
// both sides are timed under the same load (this VM's speed drifts by a quarter over minutes): the
// best and the median of `--repeats` steps each after `--warmup` untimed ones (our step keeps
// getting faster over its first few runs as onnxruntime's arena grows), and the ratio of each.
// Then steps/s of the whole trainer loop on a tiny model. `--memory` runs our side in each memory mode
// listed (step/memory-mode.ts: 'fast' flipped-kernel conv input gradients with onnxruntime's
// re-laid-out weights, 'lean' ConvTranspose over the same weights, one copy), PyTorch once per batch.
// Our children run with the allocator settings the engine gives its run workers (runs/allocator-env.ts);
// PyTorch runs with the environment as it is (`--default-allocator`: ours too). `--session JSON` overrides session settings of the
// mode (for example '{"memoryArena":true}') to try variants. `--floor` then profiles one more of our
// steps per mode in its own child (bench/ort-profile.ts) and prints where its time goes: the share
// of the step in matrix-multiply kernels (Conv, Gemm, MatMul) and the ratio our step would have if
// every other op took no time at all (that share times the median ratio), the best any fusion of
// elementwise, normalisation and layout ops could reach without faster matrix kernels.
//   npx tsx bench/aptp-step.ts [--batches 1,2,4] [--memory fast,lean] [--threads N] [--repeats 3] [--warmup 2]
//     [--no-torch] [--no-prepack] [--no-arena] [--session JSON] [--default-allocator] [--floor] [--tiny-only]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MEMORY_MODES, sessionForMemory, type MemoryMode } from '../src/engine/aptp/step/memory-mode';
import { buildUNetStep, STEP_INPUTS, STEP_OUTPUTS } from '../src/engine/aptp/step/unet-step';
import { presetUNetConfig } from '../src/engine/models/sd/structure/presets';
import { randomWeights } from '../src/engine/models/sd/unet/layers';
import { writeModel } from '../src/engine/onnx';
import { hostTensor, loadSession, type HostTensor, type SessionConfig } from '../src/engine/runtime';
import { withAllocatorEnv } from '../src/engine/runs/allocator-env';
import { openSafetensors, tensorSource } from '../src/engine/weights';
import { decodeNpy } from '../tests/oracle/sd_components/npy-read';
import { encodeNpy } from '../tests/oracle/ts/npy';
import { LineChild, serveLines } from './line-child';
import { writeSd21Folder } from './sd21-weights';
import { MATMUL_OPS, profileFile, runProfile } from './ort-profile';
import { median } from './timing';
import { venvPython } from './torch-reference';

const LATENT = 32;
const TOKENS = 77;
const line = (name: string, value: string | number): void => console.log(`${name}: ${value}`);
const arg = (argv: readonly string[], name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);

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

/** How our side runs: the memory mode, and session settings the bench puts on top of it (--no-prepack, --no-arena, --session). */
interface OursOptions { readonly memory: MemoryMode; readonly session: Partial<SessionConfig> }

function encodeOptions(o: OursOptions): string { return JSON.stringify(o); }

function rssMb(which: 'VmRSS' | 'VmHWM'): number {
  return Math.round(Number(new RegExp(`${which}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN) / 1024);
}

/** Builds, writes (weights linked in place) and loads our step through the optimized-model cache. */
async function startStep(dir: string, batch: number, threads: number, o: OursOptions, prefix: string) {
  const file = await openSafetensors(join(dir, 'unet', 'diffusion_pytorch_model.safetensors'));
  const t0 = performance.now();
  const step = buildUNetStep({ config: presetUNetConfig('sd21'), microBatch: batch, height: LATENT, width: LATENT, textLength: TOKENS, convInputGrad: MEMORY_MODES[o.memory].convInputGrad, weights: (spec) => { const t = tensorSource(file, spec.name, 'float32'); return { dtype: t.dtype, data: t.source }; } });
  const t1 = performance.now();
  const written = await writeModel(step.graph, join(dir, `step-${batch}-${o.memory}.onnx`), { linkSourceFiles: true });
  const t2 = performance.now();
  const before = rssMb('VmRSS');
  const base = { intraOpThreads: threads, interOpThreads: 1, optimizedCacheDir: join(dir, 'ort-cache') };
  const session = await loadSession({ path: written.modelPath }, 'cpu', { ...sessionForMemory(base, o.memory), ...o.session });
  line(`${prefix}_load_rss_growth_mb`, rssMb('VmRSS') - before);
  const t3 = performance.now();
  line(`${prefix}_build_s`, ((t1 - t0) / 1000).toFixed(2));
  line(`${prefix}_write_s`, ((t2 - t1) / 1000).toFixed(2));
  line(`${prefix}_load_s`, ((t3 - t2) / 1000).toFixed(2));
  line(`${prefix}_startup_s`, ((t3 - t0) / 1000).toFixed(2));
  line(`${prefix}_cache`, session.optimizedCache ?? 'none');
  return { step, session };
}

/** Child process: the first start of a shape (optimises and saves the graph), peak RSS of that start. */
async function coldChild(dir: string, batch: number, threads: number, o: OursOptions): Promise<void> {
  const { session } = await startStep(dir, batch, threads, o, 'cold');
  line('cold_peak_rss_mb', rssMb('VmHWM'));
  await session.dispose();
}

/**
 * Child process: our step at one batch size, driven by the parent (line-child.ts): loads, writes
 * the inputs for the torch side, runs a first step, then one timed step per 'step' and, on 'end',
 * writes our gradient and reports peak RSS.
 */
async function oursChild(dir: string, batch: number, threads: number, o: OursOptions): Promise<void> {
  const { step, session } = await startStep(dir, batch, threads, o, 'ours');
  line('ours_rss_after_load_mb', rssMb('VmRSS'));
  const f = feeds(batch, step.layout.vectorLength);
  for (const [name, t] of Object.entries(f)) writeFileSync(join(dir, `${name}.npy`), encodeNpy(t));
  writeFileSync(join(dir, 'layout.json'), JSON.stringify({ width_groups: step.layout.widthGroups, depth_groups: step.layout.depthGroups }));
  let start = performance.now();
  let out = await session.run(f);
  line('ours_first_step_s', ((performance.now() - start) / 1000).toFixed(2));
  line('ours_rss_after_first_step_mb', rssMb('VmRSS'));
  console.log('ok');
  await serveLines(async (command) => {
    if (command === 'step') {
      start = performance.now();
      out = await session.run(f);
      line('step_s', ((performance.now() - start) / 1000).toFixed(3));
    } else if (command === 'end') {
      line('ours_peak_rss_mb', rssMb('VmHWM'));
      writeFileSync(join(dir, `ours_${o.memory}_grad.npy`), encodeNpy(out[STEP_OUTPUTS.gradGates] as HostTensor));
      await session.dispose();
    }
  });
}

/**
 * Child process: our step with onnxruntime's profiler on (after the timed comparison, alone): two
 * untimed steps, one profiled step summarised (bench/ort-profile.ts), its largest op types.
 */
async function profileChild(dir: string, batch: number, threads: number, o: OursOptions): Promise<void> {
  const prefix = join(dir, `profile-${batch}-${o.memory}`);
  const { step, session } = await startStep(dir, batch, threads, { ...o, session: { ...o.session, profileFilePrefix: prefix } }, 'profiled');
  const f = feeds(batch, step.layout.vectorLength);
  for (let r = 0; r < 3; r++) await session.run(f);
  await session.dispose();
  const file = profileFile(prefix);
  const p = runProfile(file);
  rmSync(file, { force: true });
  line('profiled_step_s', (p.runMs / 1000).toFixed(3));
  line('profiled_matmul_share', p.matmulShare.toFixed(3));
  line('profiled_top_ops', p.byOp.slice(0, 8).map(([op, ms]) => `${op} ${(ms / 1000).toFixed(2)}s`).join(', '));
}

function childEnv(allocator: Plan['allocator']): NodeJS.ProcessEnv {
  return allocator === 'default' ? process.env : withAllocatorEnv(process.env);
}

function child(args: string[], allocator: Plan['allocator']): Record<string, string> {
  const done = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, ...args], { encoding: 'utf8', maxBuffer: 1 << 24, env: childEnv(allocator) });
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

type Row = Record<string, string>;

const gradFile = (dir: string, who: string): HostTensor => decodeNpy(readFileSync(join(dir, `${who}_grad.npy`)));

/** What one bench invocation measures. */
interface Plan { readonly threads: number; readonly repeats: number; readonly warmup: number; readonly torch: boolean; readonly floor: boolean; readonly modes: readonly MemoryMode[]; readonly session: Partial<SessionConfig>; readonly allocator: 'engine' | 'default' }

/** PyTorch's side, loaded once per batch size and driven like ours; undefined (with a line saying why) when it cannot run. */
async function startTorch(dir: string, batch: number, plan: Plan): Promise<LineChild | undefined> {
  const python = venvPython(join(import.meta.dirname, '..'));
  if (!existsSync(python)) {
    line('torch', 'no tests/oracle/.venv (run `npm run test:oracle` once)');
    return undefined;
  }
  const { child, reply } = await LineChild.start('aptp_step_torch.py', python, [join(import.meta.dirname, 'aptp_step_torch.py'), dir, String(plan.threads)], { ...process.env, HF_HUB_OFFLINE: '1' });
  for (const [k, v] of Object.entries(reply)) line(`b${batch}_torch_${k}`, v);
  return child;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Between two timed steps: lets the other process's idle threads stop spinning before the next one starts. */
const SETTLE_MS = 500;

/**
 * Every mode of the plan at one batch size against PyTorch. Per mode: a cold start in its own
 * child, then our warm child and PyTorch's (started with the first mode, kept for the others) both
 * loaded, their steps alternated `repeats` times; each side's best and median step, the ratios of
 * both, peak RSS, and the gate-gradient differences. One row per mode.
 */
async function sd21(dir: string, batch: number, plan: Plan): Promise<Row[]> {
  let torch: LineChild | undefined;
  const rows: Row[] = [];
  try {
    for (const memory of plan.modes) {
      const o = encodeOptions({ memory, session: plan.session });
      const cold = child(['--cold', dir, String(batch), String(plan.threads), o], plan.allocator);
      const started = await LineChild.start('our step child', process.execPath, ['--import', 'tsx', import.meta.filename, '--child', dir, String(batch), String(plan.threads), o], childEnv(plan.allocator));
      if (!torch && plan.torch) torch = await startTorch(dir, batch, plan);
      for (let w = 0; w < plan.warmup; w++) {
        await started.child.send('step');
        await torch?.send('step');
      }
      const ours: number[] = [];
      const theirs: number[] = [];
      for (let r = 0; r < plan.repeats; r++) {
        ours.push(Number((await started.child.send('step')).step_s));
        await pause(SETTLE_MS);
        if (torch) theirs.push(Number((await torch.send('step')).step_s));
        await pause(SETTLE_MS);
      }
      const row: Row = { ...cold, ...started.reply, ...(await started.child.send('end')), memory, ours_step_s: Math.min(...ours).toFixed(3), ours_step_median_s: median(ours).toFixed(3) };
      if (torch) Object.assign(row, { torch_step_s: Math.min(...theirs).toFixed(3), torch_step_median_s: median(theirs).toFixed(3) });
      for (const [k, v] of Object.entries(row)) line(`b${batch}_${memory}_${k}`, v);
      line(`b${batch}_${memory}_step_times_s`, `ours ${ours.map((t) => t.toFixed(2)).join(' ')}${torch ? ` | torch ${theirs.map((t) => t.toFixed(2)).join(' ')}` : ''}`);
      rows.push(row);
    }
    if (rows.length === 2) line(`b${batch}_${rows[1]?.memory ?? ''}_vs_${rows[0]?.memory ?? ''}_gate_grad_max_relative_difference`, maxRelative(gradFile(dir, `ours_${rows[1]?.memory ?? ''}`), gradFile(dir, `ours_${rows[0]?.memory ?? ''}`)).toExponential(2));
    if (!torch) return rows;
    const end = await torch.send('end');
    torch = undefined;
    const profiles = plan.floor ? rows.map((row) => child(['--profile', dir, String(batch), String(plan.threads), encodeOptions({ memory: row.memory as MemoryMode, session: plan.session })], plan.allocator)) : [];
    return rows.map((row, i) => {
      const memory = row.memory ?? '';
      const ratio = (a: string | undefined, b: string | undefined): string => (Number(a) / Number(b)).toFixed(2);
      line(`b${batch}_${memory}_step_ratio_ours_over_torch`, ratio(row.ours_step_s, row.torch_step_s));
      line(`b${batch}_${memory}_median_step_ratio_ours_over_torch`, ratio(row.ours_step_median_s, row.torch_step_median_s));
      line(`b${batch}_${memory}_peak_rss_ratio_ours_over_torch`, ratio(row.ours_peak_rss_mb, end.peak_rss_mb));
      const difference = maxRelative(gradFile(dir, `ours_${memory}`), gradFile(dir, 'torch')).toExponential(2);
      line(`b${batch}_${memory}_gate_grad_max_relative_difference`, difference);
      const profile = profiles[i];
      if (!profile) return { ...row, torch_peak_rss_mb: end.peak_rss_mb ?? '-', grad_difference: difference };
      for (const k of ['profiled_step_s', 'profiled_matmul_share', 'profiled_top_ops']) line(`b${batch}_${memory}_${k}`, profile[k] ?? '-');
      const floor = (Number(profile.profiled_matmul_share) * Number(row.ours_step_median_s) / Number(row.torch_step_median_s)).toFixed(2);
      line(`b${batch}_${memory}_floor_ratio (only ${MATMUL_OPS.join(', ')} kernels taking time)`, floor);
      return { ...row, torch_peak_rss_mb: end.peak_rss_mb ?? '-', grad_difference: difference, matmul_share: profile.profiled_matmul_share ?? '-', floor_ratio: floor };
    });
  } finally {
    await torch?.send('end').catch(() => undefined);
  }
}

/** One table: per batch and mode, step seconds and peak RSS of ours and PyTorch with their ratios, and start-up. */
function printTable(rows: readonly (readonly [number, Row])[]): void {
  const ratio = (a: string | undefined, b: string | undefined): string => (a && b ? (Number(a) / Number(b)).toFixed(2) : '-');
  const header = ['batch', 'memory', 'ours s/step', 'torch s/step', 'ratio', 'median ratio', 'matmul share', 'floor ratio', 'ours peak MB', 'torch peak MB', 'ratio', 'RSS after load MB', 'cold start s (peak MB)', 'start s (build+write+load)', 'grad diff'];
  const lines = rows.map(([batch, r]) => [
    String(batch), r.memory ?? '-', r.ours_step_s ?? '-', r.torch_step_s ?? '-', ratio(r.ours_step_s, r.torch_step_s), ratio(r.ours_step_median_s, r.torch_step_median_s), r.matmul_share ?? '-', r.floor_ratio ?? '-',
    r.ours_peak_rss_mb ?? '-', r.torch_peak_rss_mb ?? '-', ratio(r.ours_peak_rss_mb, r.torch_peak_rss_mb), r.ours_rss_after_load_mb ?? '-',
    `${r.cold_startup_s ?? '-'} (${r.cold_peak_rss_mb ?? '-'})`, `${r.ours_startup_s ?? '-'} (${r.ours_build_s ?? '-'}+${r.ours_write_s ?? '-'}+${r.ours_load_s ?? '-'})`, r.grad_difference ?? '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  for (const l of [header, ...lines]) console.log(`| ${l.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`);
}

function memoryModes(list: string): MemoryMode[] {
  const modes = list.split(',');
  const bad = modes.filter((m) => !(m in MEMORY_MODES));
  if (bad.length > 0) throw new Error(`--memory takes ${Object.keys(MEMORY_MODES).join(' or ')} (comma-separated for several), got '${bad.join(',')}'`);
  return modes as MemoryMode[];
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
  if (argv[0] === '--child') return oursChild(argv[1] as string, Number(argv[2]), Number(argv[3]), JSON.parse(argv[4] as string) as OursOptions);
  if (argv[0] === '--profile') return profileChild(argv[1] as string, Number(argv[2]), Number(argv[3]), JSON.parse(argv[4] as string) as OursOptions);
  if (argv[0] === '--cold') return coldChild(argv[1] as string, Number(argv[2]), Number(argv[3]), JSON.parse(argv[4] as string) as OursOptions);
  const threads = Number(arg(argv, '--threads') ?? cpus().length);
  const plan: Plan = { threads, repeats: Number(arg(argv, '--repeats') ?? 3), warmup: Number(arg(argv, '--warmup') ?? 2), torch: !argv.includes('--no-torch'), floor: argv.includes('--floor'), modes: memoryModes(arg(argv, '--memory') ?? 'fast'), session: { ...(argv.includes('--no-prepack') ? { prepacking: false } : {}), ...(argv.includes('--no-arena') ? { memoryArena: false } : {}), ...(JSON.parse(arg(argv, '--session') ?? '{}') as Partial<SessionConfig>) }, allocator: argv.includes('--default-allocator') ? 'default' : 'engine' };
  if (plan.floor && !plan.torch) throw new Error('--floor needs PyTorch\'s step (its ratio is our matrix-kernel share times the ratio to PyTorch): drop --no-torch');
  line('threads', threads);
  line('load_average', readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '));
  await tinySteps(threads);
  if (argv.includes('--tiny-only')) return;
  const dir = mkdtempSync(join(tmpdir(), 'aptp-step-'));
  try {
    await writeSd21Folder(dir);
    const rows: (readonly [number, Row])[] = [];
    for (const batch of (arg(argv, '--batches') ?? '1,2,4').split(',').map(Number)) rows.push(...(await sd21(dir, batch, plan)).map((r) => [batch, r] as const));
    line('load_average_end', readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '));
    printTable(rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((cause: unknown) => {
  console.error(`aptp-step bench: ${cause instanceof Error ? cause.stack ?? cause.message : String(cause)}`);
  process.exit(1);
});
