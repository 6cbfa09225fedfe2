// Where a world-model training step goes (issue 10): one training step of the world VAE
// (reconstruction + KL) and of the text encoder + UNet (epsilon loss), ours beside PyTorch on the
// same sizes, batch and threads (bench/world_train_torch.py, diffusers models from the same configs,
// AdamW, in the oracle venv), and ours broken down: forward-graph build, training-graph build
// (autodiff + optimiser), ONNX emit, session create, one step, the weights and optimiser state
// crossing in and out alone (an Identity session over the same packed tensors), and the step by operator
// type from onnxruntime's profiler; and the VAE step at 2 threads with idle threads spinning or not
// (a shared CPU). Prints `name: value` lines; ratios, no thresholds.
//   npx tsx bench/world-train.ts [--threads N] [--vae-batch B] [--unet-batch B] [--iters N] [--which vae,unet] [--no-spin-check]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { Graph } from '../src/engine/ir';
import { GraphBuilder } from '../src/engine/ir';
import { emitModel } from '../src/engine/onnx';
import { randomWeights } from '../src/engine/models/sd/unet/layers';
import { hostTensor, openSession, type HostTensor } from '../src/engine/runtime';
import { adamW, buildTrainingGraph, hyperInputName, Trainer } from '../src/engine/train';
import { packedLayout, packedStateName, PACKED_PARAMS } from '../src/engine/train/training-graph';
import { promoteToInputs } from '../src/engine/train/trainable';
import { autoencoderGraph, diffusionGraph, LATENT_SIZE, TEXT_LENGTH, TARGET_INPUT, worldConfigs } from '../src/engine/world/training-graphs';
import { WORLD_UNET, WORLD_VAE, worldTextConfig } from '../src/engine/world/model-config';
import { IMAGE_SIZE } from '../src/engine/world/vocabulary';
import { line } from './report';
import { venvPython } from './torch-reference';

const arg = (name: string, fallback: string): string => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] ?? fallback : fallback);
const THREADS = Number(arg('--threads', '1'));
const ITERS = Number(arg('--iters', '5'));
const WHICH = arg('--which', 'vae,unet').split(',');
const BATCH = { vae: Number(arg('--vae-batch', '8')), unet: Number(arg('--unet-batch', '16')) };

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const wave = (n: number, phase: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + phase) * 0.5);

function timedSync<T>(name: string, f: () => T): T {
  const t = performance.now();
  const r = f();
  line(name, performance.now() - t);
  return r;
}

function feedsFor(which: string, batch: number): Record<string, HostTensor> {
  if (which === 'vae') {
    return {
      image: hostTensor('float32', [batch, 3, IMAGE_SIZE, IMAGE_SIZE], wave(batch * 3 * IMAGE_SIZE * IMAGE_SIZE, 0)),
      noise: hostTensor('float32', [batch, 4, LATENT_SIZE, LATENT_SIZE], wave(batch * 4 * LATENT_SIZE * LATENT_SIZE, 1)),
    };
  }
  const n = batch * 4 * LATENT_SIZE * LATENT_SIZE;
  return {
    input_ids: hostTensor('int64', [batch, TEXT_LENGTH], new BigInt64Array(batch * TEXT_LENGTH).fill(7n)),
    sample: hostTensor('float32', [batch, 4, LATENT_SIZE, LATENT_SIZE], wave(n, 2)),
    timestep: hostTensor('float32', [batch], new Float32Array(batch).fill(500)),
    [TARGET_INPUT]: hostTensor('float32', [batch, 4, LATENT_SIZE, LATENT_SIZE], wave(n, 3)),
  };
}

function forwardGraph(which: string, batch: number): Graph {
  return which === 'vae'
    ? autoencoderGraph(worldConfigs().vae, batch, randomWeights(1), 1e-4)
    : diffusionGraph(worldConfigs(), batch, { unet: randomWeights(2), text: randomWeights(3) });
}

/** Milliseconds per operator type over `iters` profiled runs of the training graph (per step). */
async function profileByOp(bytes: Uint8Array, feeds: Record<string, HostTensor>, iters: number): Promise<[string, number][]> {
  const prefix = join(tmpdir(), `world-train-profile-${process.pid}`);
  const session = await InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: THREADS, enableProfiling: true, profileFilePrefix: prefix });
  const ort: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(feeds)) ort[k] = new Tensor(t.dtype, t.data as Float32Array, [...t.dims]);
  await session.run(ort);
  for (let i = 0; i < iters; i++) await session.run(ort);
  session.endProfiling();
  await session.release();
  const file = readdirSync(tmpdir()).map((f) => join(tmpdir(), f)).find((f) => f.startsWith(prefix) && f.endsWith('.json'));
  if (!file) throw new Error(`onnxruntime wrote no profile beside ${prefix}`);
  const events = JSON.parse(readFileSync(file, 'utf8')) as { cat: string; name: string; dur: number; args?: { op_name?: string } }[];
  rmSync(file, { force: true });
  const byOp = new Map<string, number>();
  for (const e of events) if (e.cat === 'Node' && e.name.endsWith('_kernel_time')) byOp.set(e.args?.op_name ?? '?', (byOp.get(e.args?.op_name ?? '?') ?? 0) + e.dur / 1000 / (iters + 1));
  return [...byOp.entries()].sort((a, b) => b[1] - a[1]);
}

async function ours(which: string, batch: number): Promise<number> {
  const p = `${which}_b${batch}`;
  const forward = timedSync(`${p}_forward_build_ms`, () => forwardGraph(which, batch));
  const { graph, params } = timedSync(`${p}_promote_ms`, () => promoteToInputs(forward));
  const optimizer = adamW({ lr: 1e-4 });
  const training = timedSync(`${p}_training_graph_build_ms`, () => buildTrainingGraph(graph, { loss: 'loss', params: Object.keys(params), optimizer, keep: [] }));
  line(`${p}_training_graph_nodes`, training.nodes.length);
  const bytes = timedSync(`${p}_emit_ms`, () => emitModel(training));
  let t = performance.now();
  const trainer = await Trainer.create(graph, { params, optimizer, session: { intraOpThreads: THREADS } });
  line(`${p}_trainer_create_ms`, performance.now() - t);
  const feeds = feedsFor(which, batch);
  await trainer.step(feeds);
  const steps: number[] = [];
  for (let i = 0; i < ITERS; i++) {
    t = performance.now();
    await trainer.step(feeds);
    steps.push(performance.now() - t);
  }
  const step = median(steps);
  line(`${p}_params`, Object.values(params).reduce((s, x) => s + x.data.length, 0));
  line(`${p}_step_ms`, step);
  line(`${p}_images_per_s`, (batch * 1000) / step);

  const layout = packedLayout(Object.entries(params).map(([name, x]) => ({ name, dims: x.dims })));
  const packed = (): HostTensor => hostTensor('float32', [layout.total], new Float32Array(layout.total));
  const carried: Record<string, HostTensor> = { [PACKED_PARAMS]: packed() };
  for (const s of optimizer.stateNames) carried[packedStateName(s)] = packed();
  const b = new GraphBuilder('echo');
  for (const [name, x] of Object.entries(carried)) b.output(b.identity(b.input(name, 'float32', x.dims)), `out/${name}`);
  const echo = await openSession({ bytes: emitModel(b.build()), name: 'echo' }, { intraOpThreads: THREADS });
  await echo.run(carried);
  const copies: number[] = [];
  for (let i = 0; i < ITERS; i++) {
    t = performance.now();
    await echo.run(carried);
    copies.push(performance.now() - t);
  }
  await echo.dispose();
  line(`${p}_weights_in_out_ms`, median(copies));

  const hyper: Record<string, HostTensor> = {};
  for (const [name, v] of Object.entries(optimizer.hyperValues(2, 1e-4))) hyper[hyperInputName(name)] = hostTensor('float32', [], Float32Array.of(v));
  const ops = await profileByOp(bytes, { ...feeds, ...carried, ...hyper }, 2);
  const total = ops.reduce((s, [, ms]) => s + ms, 0);
  line(`${p}_profiled_kernel_ms`, total);
  for (const [op, ms] of ops.slice(0, 12)) line(`${p}_op_${op}_ms`, ms);
  return step;
}

/** The VAE step at 2 threads with idle threads spinning (onnxruntime's default) and not (trainingSession). */
async function spinning(batch: number): Promise<void> {
  const { graph, params } = promoteToInputs(forwardGraph('vae', batch));
  const feeds = feedsFor('vae', batch);
  for (const spin of [true, false]) {
    const trainer = await Trainer.create(graph, { params, optimizer: adamW({ lr: 1e-4 }), session: { intraOpThreads: 2, spinning: spin } });
    await trainer.step(feeds);
    const steps: number[] = [];
    for (let i = 0; i < ITERS; i++) {
      const t = performance.now();
      await trainer.step(feeds);
      steps.push(performance.now() - t);
    }
    line(`vae_b${batch}_threads2_${spin ? 'spinning' : 'no_spinning'}_step_ms`, median(steps));
  }
}

/** PyTorch's step time for the same model, batch and threads (ms), or why it cannot run. */
function torch(which: string, batch: number): number | string {
  const python = venvPython(process.cwd());
  if (!existsSync(python)) return 'no tests/oracle/.venv';
  const configs = { vae: WORLD_VAE, unet: WORLD_UNET, text: worldTextConfig() };
  const r = spawnSync(python, [join('bench', 'world_train_torch.py')], { input: JSON.stringify({ which, batch, threads: THREADS, iters: ITERS, image: IMAGE_SIZE, latent: LATENT_SIZE, text_length: TEXT_LENGTH, configs }), encoding: 'utf8' });
  if (r.status !== 0) return `world_train_torch.py failed: ${r.stderr.trim().split('\n').pop() ?? ''}`;
  return (JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { step_ms: number }).step_ms;
}

for (const which of WHICH) {
  const batch = which === 'vae' ? BATCH.vae : BATCH.unet;
  const step = await ours(which, batch);
  const ref = torch(which, batch);
  if (typeof ref === 'string') line(`${which}_torch`, ref);
  else {
    line(`${which}_b${batch}_torch_step_ms`, ref);
    line(`${which}_b${batch}_ours_over_torch`, step / ref);
  }
}
if (WHICH.includes('vae') && !process.argv.includes('--no-spin-check')) await spinning(BATCH.vae);
line('threads', THREADS);
