// What it costs that trained weights cross every step (onnxruntime-node has no IO binding): for the
// world model's text encoder + UNet training step, the time of one step beside the time of a session
// that only takes every parameter and optimiser state tensor in and gives it back (Identity), i.e.
// the copies alone, in the same run. Prints `name: value` lines; no thresholds.
// Run: npx tsx bench/world-weight-copies.ts (BENCH_BATCH default 8, BENCH_ITERS default 5).
import { GraphBuilder } from '../src/engine/ir';
import { emitModel } from '../src/engine/onnx';
import { randomWeights } from '../src/engine/models/sd/unet/layers';
import { hostTensor, openSession, type HostTensor } from '../src/engine/runtime';
import { Trainer, adamW } from '../src/engine/train';
import { promoteToInputs } from '../src/engine/train/trainable';
import { diffusionGraph, LATENT_SIZE, TEXT_LENGTH, worldConfigs } from '../src/engine/world/training-graphs';
import { line } from './report';

const BATCH = Number(process.env.BENCH_BATCH ?? 8);
const ITERS = Number(process.env.BENCH_ITERS ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function main(): Promise<void> {
  const { graph, params } = promoteToInputs(diffusionGraph(worldConfigs(), BATCH, { unet: randomWeights(1), text: randomWeights(2) }));
  const trainer = await Trainer.create(graph, { params, optimizer: adamW({ lr: 1e-4 }), session: { intraOpThreads: 1 } });
  const n = BATCH * 4 * LATENT_SIZE * LATENT_SIZE;
  const rnd = (k: number): Float32Array => Float32Array.from({ length: k }, (_, i) => Math.sin(i * 12.9898) * 0.5);
  const feeds = {
    input_ids: hostTensor('int64', [BATCH, TEXT_LENGTH], new BigInt64Array(BATCH * TEXT_LENGTH).fill(7n)),
    sample: hostTensor('float32', [BATCH, 4, LATENT_SIZE, LATENT_SIZE], rnd(n)),
    timestep: hostTensor('float32', [BATCH], new Float32Array(BATCH).fill(500)),
    target: hostTensor('float32', [BATCH, 4, LATENT_SIZE, LATENT_SIZE], rnd(n)),
  };
  const snapshot = trainer.snapshot();
  const carried: Record<string, HostTensor> = { ...snapshot.params, ...snapshot.optimizerState };
  const b = new GraphBuilder('echo');
  for (const [name, t] of Object.entries(carried)) b.output(b.identity(b.input(name, 'float32', t.dims)), `out/${name}`);
  const echo = await openSession({ bytes: emitModel(b.build()), name: 'echo' }, { intraOpThreads: 1 });
  const [steps, copies]: [number[], number[]] = [[], []];
  await trainer.step(feeds);
  await echo.run(carried);
  for (let i = 0; i < ITERS; i++) {
    let t = performance.now();
    await trainer.step(feeds);
    steps.push(performance.now() - t);
    t = performance.now();
    await echo.run(carried);
    copies.push(performance.now() - t);
  }
  const bytes = Object.values(carried).reduce((s, t) => s + t.data.byteLength, 0);
  line('world_train_params', Object.values(snapshot.params).reduce((s, t) => s + t.data.length, 0));
  line('world_train_carried_mb_each_way', bytes / 2 ** 20);
  line('world_train_step_ms', median(steps));
  line('world_train_copies_only_ms', median(copies));
  line('world_train_copies_fraction_of_step', median(copies) / median(steps));
}

await main();
