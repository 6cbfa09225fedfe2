// The trainer's moving average of the parameters (TrainerOptions.ema): it starts as a copy at its
// step, follows ema = d * ema + (1 - d) * params after every applied step (checked against the same
// recurrence over the parameters the trainer reports), goes into checkpoints as 'ema/<name>', and a
// run stopped and resumed from its checkpoint ends with exactly the average of an uninterrupted one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder, type Graph } from '../../../src/engine/ir';
import type { HostTensor } from '../../../src/engine/runtime';
import { Random, Trainer, adamW, fromNumbers } from '../../../src/engine/train';
import { readCheckpoint, writeCheckpoint } from '../../../src/engine/train/checkpoint';

const N = 16;
const dir = mkdtempSync(join(tmpdir(), 'aptp-ema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function forward(): Graph {
  const b = new GraphBuilder('ema_fit');
  const x = b.input('x', 'float32', [N, 3]);
  const y = b.input('y', 'float32', [N, 1]);
  const w = b.input('w', 'float32', [3, 1]);
  const d = b.sub(b.matmul(x, w), y);
  b.output(b.reduceMean(b.mul(d, d), undefined, false), 'loss');
  return b.build();
}

function batch(step: number): Record<string, HostTensor> {
  const r = new Random(100 + step);
  const xs = r.normals(N * 3, 1, 0);
  const ys = Array.from({ length: N }, (_, i) => 2 * (xs[i * 3] ?? 0) - (xs[i * 3 + 1] ?? 0) + 0.5 * (xs[i * 3 + 2] ?? 0));
  return { x: fromNumbers('float32', [N, 3], xs), y: fromNumbers('float32', [N, 1], ys) };
}

const options = (resume?: Awaited<ReturnType<typeof readCheckpoint>>['snapshot']) => ({
  params: { w: fromNumbers('float32', [3, 1], [0, 0, 0]) }, optimizer: adamW({ lr: 0.05, weightDecay: 0 }), session: { intraOpThreads: 1 }, ema: { decay: 0.9, from: 3 }, resume,
});

describe('parameter moving average', () => {
  it('starts at its step as a copy and follows the recurrence', async () => {
    const t = await Trainer.create(forward(), options());
    let expected: number[] | undefined;
    for (let s = 1; s <= 8; s++) {
      await t.step(batch(s));
      const w = Array.from(t.parameters['w']!.data as Float32Array);
      if (s < 3) expect(t.averaged).toEqual(t.parameters);
      if (s === 3) expected = w;
      else if (expected) expected = expected.map((e, i) => Math.fround(0.9 * e + 0.1 * (w[i] ?? 0)));
      if (expected) Array.from(t.averaged['w']!.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(expected![i] ?? 0, 6));
    }
    // the average lags the last iterate: it is a different tensor with different values
    expect(Array.from(t.averaged['w']!.data as Float32Array)).not.toEqual(Array.from(t.parameters['w']!.data as Float32Array));
  });

  it('is kept in checkpoints and a resumed run ends with the uninterrupted average', async () => {
    const straight = await Trainer.create(forward(), options());
    for (let s = 1; s <= 8; s++) await straight.step(batch(s));

    const first = await Trainer.create(forward(), options());
    for (let s = 1; s <= 5; s++) await first.step(batch(s));
    const file = join(dir, 'ema.ckpt.safetensors');
    await writeCheckpoint(file, { snapshot: first.snapshot(), state: {} });
    const saved = await readCheckpoint(file);
    expect(Object.keys(saved.snapshot.ema ?? {})).toEqual(['w']);
    const resumed = await Trainer.create(forward(), options(saved.snapshot));
    for (let s = 6; s <= 8; s++) await resumed.step(batch(s));
    expect(Array.from(resumed.averaged['w']!.data as Float32Array)).toEqual(Array.from(straight.averaged['w']!.data as Float32Array));
    expect(Array.from(resumed.parameters['w']!.data as Float32Array)).toEqual(Array.from(straight.parameters['w']!.data as Float32Array));
  });
});
