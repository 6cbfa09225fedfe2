// The oracle bridge for optimisers: runs the engine's AdamW and SGD (graph ops, via Trainer) for a
// few steps on a parameter whose gradient is a fed tensor (loss = sum(p * G), so d loss/dp = G),
// with a changing learning rate, and writes the training graph (model.onnx), p0, the gradients,
// the learning rates and the parameter after every step to <out>/<config>/ for
// test_optimizers.py to check and replay with torch.optim.
//   tsx tests/oracle/ts/optim.ts --out tests/oracle/cache/optim
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphBuilder } from '../../../src/engine/ir';
import { hostTensor, type HostTensor } from '../../../src/engine/runtime';
import { emitModel } from '../../../src/engine/onnx';
import { Random, Trainer, adamW, buildTrainingGraph, sgd, type Optimizer } from '../../../src/engine/train';
import { encodeNpy } from './npy';

type DT = 'float32' | 'float64';

interface Config {
  readonly name: string;
  readonly dtype: DT;
  readonly kind: 'adamw' | 'sgd';
  readonly options: Record<string, unknown>;
  readonly make: () => Optimizer;
}

const CONFIGS: readonly Config[] = [
  { name: 'adamw_defaults', dtype: 'float64', kind: 'adamw', options: { lr: 1e-3 }, make: () => adamW() },
  { name: 'adamw_custom', dtype: 'float64', kind: 'adamw', options: { lr: 0.05, betas: [0.8, 0.95], eps: 1e-6, weight_decay: 0.3 }, make: () => adamW({ lr: 0.05, betas: [0.8, 0.95], eps: 1e-6, weightDecay: 0.3 }) },
  { name: 'adamw_float32', dtype: 'float32', kind: 'adamw', options: { lr: 0.01, weight_decay: 0.1 }, make: () => adamW({ lr: 0.01, weightDecay: 0.1 }) },
  { name: 'sgd_plain', dtype: 'float64', kind: 'sgd', options: { lr: 0.1 }, make: () => sgd({ lr: 0.1 }) },
  { name: 'sgd_momentum', dtype: 'float64', kind: 'sgd', options: { lr: 0.1, momentum: 0.9, dampening: 0.2, weight_decay: 0.05 }, make: () => sgd({ lr: 0.1, momentum: 0.9, dampening: 0.2, weightDecay: 0.05 }) },
  { name: 'sgd_nesterov', dtype: 'float64', kind: 'sgd', options: { lr: 0.05, momentum: 0.8, nesterov: true }, make: () => sgd({ lr: 0.05, momentum: 0.8, nesterov: true }) },
];

const SHAPE = [3, 4];
const STEPS = 6;

function tensor(dtype: DT, dims: readonly number[], values: readonly number[]): HostTensor {
  return dtype === 'float64' ? hostTensor('float64', dims, Float64Array.from(values)) : hostTensor('float32', dims, Float32Array.from(values));
}

async function runConfig(c: Config, dir: string): Promise<void> {
  const rand = new Random(2024);
  const b = new GraphBuilder(c.name);
  const p = b.input('p', c.dtype, SHAPE);
  b.output(b.reduceSum(b.mul(p, b.input('G', c.dtype, SHAPE)), undefined, false), 'loss');
  const p0 = tensor(c.dtype, SHAPE, rand.normals(12));
  const forward = b.build();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), emitModel(buildTrainingGraph(forward, { loss: 'loss', params: ['p'], optimizer: c.make() })));
  const trainer = await Trainer.create(forward, { params: { p: p0 }, optimizer: c.make(), session: { provider: 'cpu' } });
  const grads: number[] = [];
  const trajectory: number[] = [];
  const lrs = Array.from({ length: STEPS }, (_, i) => c.make().lr * (i < 3 ? 1 : 0.5));
  for (const lr of lrs) {
    const g = rand.normals(12);
    grads.push(...g);
    await trainer.step({ G: tensor(c.dtype, SHAPE, g) }, lr);
    trajectory.push(...Array.from(trainer.parameters.p?.data as Float64Array | Float32Array));
  }
  writeFileSync(join(dir, 'p0.npy'), encodeNpy(p0));
  writeFileSync(join(dir, 'grads.npy'), encodeNpy(tensor(c.dtype, [STEPS, ...SHAPE], grads)));
  writeFileSync(join(dir, 'params.npy'), encodeNpy(tensor(c.dtype, [STEPS, ...SHAPE], trajectory)));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ name: c.name, dtype: c.dtype, kind: c.kind, options: c.options, lrs }, null, 2));
}

async function main(argv: readonly string[]): Promise<void> {
  const out = argv[argv.indexOf('--out') + 1];
  if (!argv.includes('--out') || !out) throw new Error('usage: optim.ts --out <dir>');
  for (const c of CONFIGS) await runConfig(c, join(out, c.name));
  writeFileSync(join(out, 'configs.json'), JSON.stringify(CONFIGS.map((c) => c.name)));
}

main(process.argv.slice(2)).catch((cause: unknown) => {
  console.error(`oracle optim: ${cause instanceof Error ? cause.message : String(cause)}`);
  process.exit(1);
});
