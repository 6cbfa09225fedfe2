// gradients() on an open builder: a model, two losses, their gradients and an SGD step built in one
// builder with one build(); exact values against hand-derived gradients and central finite
// differences; a seed; and clear errors for values of another builder and non-float values.
import { describe, expect, it } from 'vitest';
import { gradients } from '../../../src/engine/autodiff';
import { GraphBuilder } from '../../../src/engine/ir/builder';
import type { Value } from '../../../src/engine/ir/graph';
import { hostTensor } from '../../../src/engine/runtime/tensor';
import { runGraph } from './run-graph';

const f64 = (dims: number[], values: number[]) => hostTensor('float64', dims, Float64Array.from(values));
const X = [0.5, -1.5, 2, 0.25, 1, -0.75];
const W = [0.3, -0.2, 0.9];

/** loss(w) = sum(tanh(x @ w)^2) for x [2,3], w [3], in plain numbers, for finite differences. */
function lossOf(w: readonly number[]): number {
  let total = 0;
  for (let r = 0; r < 2; r++) {
    const z = [0, 1, 2].reduce((s, k) => s + (X[3 * r + k] ?? 0) * (w[k] ?? 0), 0);
    total += Math.tanh(z) ** 2;
  }
  return total;
}

describe('gradients', () => {
  it('builds model, loss, gradients and an optimiser step in one builder, matching finite differences', async () => {
    const b = new GraphBuilder('one_builder');
    const x = b.input('x', 'float64', [2, 3]);
    const w = b.input('w', 'float64', [3]);
    const lossValue = b.reduceSum(b.mul(b.tanh(b.matmul(x, w)), b.tanh(b.matmul(x, w))), undefined, false);
    const [gw, gx] = gradients(b, lossValue, [w, x]) as [Value, Value];
    b.output(lossValue, 'loss');
    b.output(b.sub(w, b.mul(gw, 0.1)), 'w_next');
    b.output(gx, 'dx');
    const out = await runGraph(b.build(), { x: f64([2, 3], X), w: f64([3], W) });
    expect(out.loss?.data[0]).toBeCloseTo(lossOf(W), 12);
    const h = 1e-6;
    W.forEach((wk, k) => {
      const plus = W.map((v, i) => (i === k ? v + h : v));
      const minus = W.map((v, i) => (i === k ? v - h : v));
      const fd = (lossOf(plus) - lossOf(minus)) / (2 * h);
      expect(out.w_next?.data[k]).toBeCloseTo(wk - 0.1 * fd, 8);
    });
    // d/dx[r,k] = 2 tanh(z_r) (1 - tanh(z_r)^2) w[k]
    for (let r = 0; r < 2; r++) {
      const t = Math.tanh([0, 1, 2].reduce((s, k) => s + (X[3 * r + k] ?? 0) * (W[k] ?? 0), 0));
      [0, 1, 2].forEach((k) => expect(out.dx?.data[3 * r + k]).toBeCloseTo(2 * t * (1 - t * t) * (W[k] ?? 0), 12));
    }
  });

  it('takes gradients of two losses on the same builder, and a seed', async () => {
    const b = new GraphBuilder('two_losses');
    const p = b.input('p', 'float64', [3]);
    const y = b.mul(p, p);
    const [g1] = gradients(b, b.reduceSum(y, undefined, false), [p]) as [Value];
    const seed = b.input('seed', 'float64', [3]);
    const [g2] = gradients(b, b.exp(p), [p], seed) as [Value];
    b.output(g1, 'g1');
    b.output(g2, 'g2');
    const out = await runGraph(b.build(), { p: f64([3], [1, -2, 0.5]), seed: f64([3], [1, 2, 3]) });
    expect(Array.from(out.g1?.data as Float64Array)).toEqual([2, -4, 1]);
    [1, -2, 0.5].forEach((v, i) => expect(out.g2?.data[i]).toBeCloseTo((i + 1) * Math.exp(v), 12));
  });

  it('gives zeros where the loss does not depend on a value', async () => {
    const b = new GraphBuilder('zeros');
    const p = b.input('p', 'float64', [2]);
    const q = b.input('q', 'float64', [2]);
    const [gq] = gradients(b, b.reduceSum(b.mul(p, 3), undefined, false), [q]) as [Value];
    b.output(gq, 'gq');
    const out = await runGraph(b.build(), { p: f64([2], [1, 2]), q: f64([2], [3, 4]) });
    expect(Array.from(out.gq?.data as Float64Array)).toEqual([0, 0]);
  });

  it('refuses values of another builder, integer values and a seed of the wrong shape', () => {
    const b = new GraphBuilder('a');
    const p = b.input('p', 'float64', [2]);
    const loss = b.reduceSum(p, undefined, false);
    const other = new GraphBuilder('b').input('p', 'float64', [2]);
    expect(() => gradients(b, loss, [other])).toThrow(/does not belong to builder 'a'/);
    const i = b.input('i', 'int64', [2]);
    expect(() => gradients(b, loss, [i])).toThrow(/gradients exist only for float values/);
    expect(() => gradients(b, loss, [p], b.input('s', 'float64', [2]))).toThrow(/must have the loss's type/);
  });
});
