// Gradient accumulation: three AdamW steps over two micro-batches of 8 each give the same parameters
// (to float32 rounding) as three fused steps over the 16-row batch they make up, for a mean loss.
import { describe, expect, it } from 'vitest';
import { GraphBuilder, type Graph, type Value } from '../../../src/engine/ir';
import type { HostTensor } from '../../../src/engine/runtime';
import { Random, Trainer, adamW, fromNumbers, uniformFanIn } from '../../../src/engine/train';
import { AccumulatingTrainer } from '../../../src/engine/train/accumulate';

function forward(rows: number): Graph {
  const b = new GraphBuilder('acc_mlp');
  let h: Value = b.input('x', 'float32', [rows, 3]);
  const y = b.input('y', 'float32', [rows, 1]);
  h = b.tanh(b.linear(h, b.input('w0', 'float32', [3, 8]), b.input('b0', 'float32', [8])));
  h = b.linear(h, b.input('w1', 'float32', [8, 1]), b.input('b1', 'float32', [1]));
  const d = b.sub(h, y);
  b.output(b.reduceMean(b.mul(d, d), undefined, false), 'loss');
  return b.build();
}

describe('accumulated steps', () => {
  it('equal fused steps over the union of the micro-batches', async () => {
    const rand = new Random(3);
    const params: Record<string, HostTensor> = { w0: uniformFanIn(rand, 'float32', [3, 8], 3), b0: uniformFanIn(rand, 'float32', [8], 3), w1: uniformFanIn(rand, 'float32', [8, 1], 8), b1: uniformFanIn(rand, 'float32', [1], 8) };
    const xs = rand.uniforms(48, -1, 1);
    const ys = Array.from({ length: 16 }, (_, i) => Math.sin(xs[i * 3]! * 2) + xs[i * 3 + 1]! * xs[i * 3 + 2]!);
    const whole = { x: fromNumbers('float32', [16, 3], xs), y: fromNumbers('float32', [16, 1], ys) };
    const halves = [0, 1].map((k) => ({ x: fromNumbers('float32', [8, 3], xs.slice(k * 24, k * 24 + 24)), y: fromNumbers('float32', [8, 1], ys.slice(k * 8, k * 8 + 8)) }));
    const fused = await Trainer.create(forward(16), { params, optimizer: adamW({ lr: 0.05 }) });
    const accumulated = await AccumulatingTrainer.create(forward(8), { params, optimizer: adamW({ lr: 0.05 }) });
    for (let s = 0; s < 3; s++) {
      const a = await fused.step(whole);
      const b = await accumulated.step(halves);
      expect(b.loss).toBeCloseTo(a.loss, 5);
    }
    for (const [name, t] of Object.entries(fused.parameters)) {
      const ours = accumulated.parameters[name]!.data as Float32Array;
      (t.data as Float32Array).forEach((v, i) => expect(ours[i]).toBeCloseTo(v, 5));
    }
    expect(accumulated.stepCount).toBe(3);
  });
});
