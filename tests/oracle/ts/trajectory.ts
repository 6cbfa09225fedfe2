// The oracle bridge for a whole training run: a float64 MLP (tanh, 4-16-16-1) trained for 10 AdamW
// steps by the engine's Trainer on a fixed batch; writes the data, initial parameters, the loss of
// every step and the final parameters to <out>/ for test_trajectory.py to repeat with torch.
//   tsx tests/oracle/ts/trajectory.ts --out tests/oracle/cache/trajectory
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphBuilder, type Graph, type Value } from '../../../src/engine/ir';
import { hostTensor, type HostTensor } from '../../../src/engine/runtime';
import { Random, Trainer, adamW, fromNumbers, uniformFanIn } from '../../../src/engine/train';
import { encodeNpy } from './npy';

const [N, STEPS] = [32, 10];
const WIDTHS: readonly number[] = [4, 16, 16, 1];
const width = (i: number): number => WIDTHS[i] ?? 0;
const ADAMW = { lr: 0.02, betas: [0.9, 0.99] as [number, number], eps: 1e-8, weightDecay: 0.05 };

function forward(): Graph {
  const b = new GraphBuilder('trajectory_mlp');
  let h: Value = b.input('x', 'float64', [N, 4]);
  const y = b.input('y', 'float64', [N, 1]);
  for (let l = 0; l < 3; l++) {
    h = b.linear(h, b.input(`w${l}`, 'float64', [width(l), width(l + 1)]), b.input(`b${l}`, 'float64', [width(l + 1)]));
    if (l < 2) h = b.tanh(h);
  }
  const d = b.sub(h, y);
  b.output(b.reduceMean(b.mul(d, d), undefined, false), 'loss');
  return b.build();
}

async function main(argv: readonly string[]): Promise<void> {
  const out = argv[argv.indexOf('--out') + 1];
  if (!argv.includes('--out') || !out) throw new Error('usage: trajectory.ts --out <dir>');
  const rand = new Random(5);
  const x = fromNumbers('float64', [N, 4], rand.normals(N * 4));
  const y = fromNumbers('float64', [N, 1], rand.normals(N));
  const params: Record<string, HostTensor> = {};
  for (let l = 0; l < 3; l++) {
    params[`w${l}`] = uniformFanIn(rand, 'float64', [width(l), width(l + 1)], width(l));
    params[`b${l}`] = uniformFanIn(rand, 'float64', [width(l + 1)], width(l));
  }
  const trainer = await Trainer.create(forward(), { params, optimizer: adamW(ADAMW), session: { provider: 'cpu' } });
  const losses: number[] = [];
  for (let i = 0; i < STEPS; i++) losses.push((await trainer.step({ x, y })).loss);
  mkdirSync(join(out, 'initial'), { recursive: true });
  mkdirSync(join(out, 'final'), { recursive: true });
  for (const [name, t] of Object.entries({ x, y })) writeFileSync(join(out, `${name}.npy`), encodeNpy(t));
  for (const [name, t] of Object.entries(params)) writeFileSync(join(out, 'initial', `${name}.npy`), encodeNpy(t));
  for (const [name, t] of Object.entries(trainer.parameters)) writeFileSync(join(out, 'final', `${name}.npy`), encodeNpy(t));
  writeFileSync(join(out, 'losses.npy'), encodeNpy(hostTensor('float64', [STEPS], Float64Array.from(losses))));
  writeFileSync(join(out, 'config.json'), JSON.stringify({ layers: 3, steps: STEPS, adamw: ADAMW }));
}

main(process.argv.slice(2)).catch((cause: unknown) => {
  console.error(`oracle trajectory: ${cause instanceof Error ? cause.message : String(cause)}`);
  process.exit(1);
});
