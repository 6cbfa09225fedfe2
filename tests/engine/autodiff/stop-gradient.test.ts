// stopGradient: the walker treats a stopped value as a constant. Checked numerically: the gradient
// of f(x, stop(g(x))) equals central differences of f(x, c) with c an input fed the value g(x) (what
// detach means), not those of the whole f(x, g(x)); a straight-through estimator
// x + stop(step(x) - x) has gradient exactly 1; and a loss reached only through a stopped value has
// zero gradient rather than an error.
import { describe, expect, it } from 'vitest';
import { gradients, stopGradient } from '../../../src/engine/autodiff';
import { GraphBuilder } from '../../../src/engine/ir/builder';
import { hostTensor } from '../../../src/engine/runtime/tensor';
import { runGraph } from './run-graph';

const X = [0.4, -1.2, 0.9];
const f64 = (values: number[]) => hostTensor('float64', [values.length], Float64Array.from(values));

/** f(x, c) = sum(tanh(x) * c + x^2 * c), g(x) = exp(x): with c = stop(g(x)) or the input c. */
function build(stopped: boolean) {
  const b = new GraphBuilder(stopped ? 'stopped' : 'constant');
  const x = b.input('x', 'float64', [3]);
  const c = stopped ? stopGradient(b, b.exp(x)) : b.input('c', 'float64', [3]);
  const loss = b.reduceSum(b.add(b.mul(b.tanh(x), c), b.mul(b.mul(x, x), c)), undefined, false);
  const [dx] = gradients(b, loss, [x]);
  b.output(loss, 'loss');
  b.output(dx!, 'dx');
  return b.build();
}

describe('stopGradient', () => {
  it('makes the stopped value a constant: the gradient matches finite differences with it held fixed', async () => {
    const analytic = Array.from((await runGraph(build(true), { x: f64(X) })).dx!.data as Float64Array);
    const c = X.map(Math.exp);
    const constant = build(false);
    const h = 1e-6;
    for (let k = 0; k < X.length; k++) {
      const at = async (d: number) => Number((await runGraph(constant, { x: f64(X.map((v, i) => (i === k ? v + d : v))), c: f64(c) })).loss!.data[0]);
      const numeric = ((await at(h)) - (await at(-h))) / (2 * h);
      expect(Math.abs(analytic[k]! - numeric)).toBeLessThan(1e-7);
      const whole = (1 - Math.tanh(X[k]!) ** 2 + 2 * X[k]!) * c[k]! + (Math.tanh(X[k]!) + X[k]! ** 2) * c[k]!;
      expect(Math.abs(analytic[k]! - whole)).toBeGreaterThan(1e-3);
    }
  });

  it('gives a straight-through estimator gradient 1 and zero gradient through a stop alone', async () => {
    const b = new GraphBuilder('straight_through');
    const x = b.input('x', 'float64', [3]);
    const hard = b.cast(b.greaterOrEqual(x, 0.5), 'float64');
    const st = b.add(x, stopGradient(b, b.sub(hard, x)));
    const [dst, donly] = [gradients(b, b.reduceSum(st, undefined, false), [x])[0]!, gradients(b, b.reduceSum(stopGradient(b, b.mul(x, x)), undefined, false), [x])[0]!];
    b.output(st, 'st');
    b.output(dst, 'dst');
    b.output(donly, 'donly');
    const out = await runGraph(b.build(), { x: f64(X) });
    expect(Array.from(out.st!.data as Float64Array)).toEqual([0, 0, 1]);
    expect(Array.from(out.dst!.data as Float64Array)).toEqual([1, 1, 1]);
    expect(Array.from(out.donly!.data as Float64Array)).toEqual([0, 0, 0]);
  });
});
