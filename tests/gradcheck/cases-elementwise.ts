// Gradcheck cases for elementwise ops: random shapes with broadcasting, scalars and size-1 axes;
// inputs kept away from kinks (Relu, Abs, Max/Min ties, Clip bounds) so differences are valid.
import type { GraphBuilder } from '../../src/engine/ir/builder';
import type { Value } from '../../src/engine/ir/graph';
import type { GradCase, InputKind } from './harness';
import { Rng } from './rng';

type Binary = (b: GraphBuilder, x: Value, y: Value) => Value;
type Unary = (b: GraphBuilder, x: Value) => Value;

/** Shape pairs that broadcast: equal, trailing vector, size-1 axes both sides, scalar, leading axes. */
function broadcastPairs(r: Rng): [number[], number[]][] {
  const d = (): number => r.int(2, 4);
  const [a, b, c] = [d(), d(), d()];
  return [[[a, b], [a, b]], [[a, b, c], [c]], [[a, 1, c], [b, 1]], [[], [a, b]], [[1, b], [a, 1, b]]];
}

function binaryCases(op: string, fn: Binary, r: Rng, kinds: [InputKind, InputKind] = ['normal', 'normal']): GradCase[] {
  return broadcastPairs(r).map(([sa, sb]) => ({
    op,
    name: `[${sa}] x [${sb}]`,
    inputs: [{ name: 'a', shape: sa, kind: kinds[0] }, { name: 'b', shape: sb, kind: kinds[1] }],
    build: (b, [x, y]) => fn(b, x as Value, y as Value),
  }));
}

function unaryCases(op: string, fn: Unary, r: Rng, kind: InputKind = 'normal'): GradCase[] {
  const shapes = [[r.int(1, 5)], [r.int(2, 3), 1, r.int(2, 4)], []];
  return shapes.map((shape) => ({ op, name: `[${shape}]`, inputs: [{ name: 'x', shape, kind }], build: (b, [x]) => fn(b, x as Value) }));
}

export function elementwiseCases(seed: number): GradCase[] {
  const r = new Rng(seed);
  return [
    ...binaryCases('Add', (b, x, y) => b.add(x, y), r),
    ...binaryCases('Sub', (b, x, y) => b.sub(x, y), r),
    ...binaryCases('Mul', (b, x, y) => b.mul(x, y), r),
    ...binaryCases('Div', (b, x, y) => b.div(x, y), r, ['normal', 'away']),
    ...binaryCases('Pow', (b, x, y) => b.pow(x, y), r, ['positive', 'normal']),
    ...binaryCases('Max', (b, x, y) => b.max(x, y), r, ['spaced', 'spaced']),
    ...binaryCases('Min', (b, x, y) => b.min(x, y), r, ['spaced', 'spaced']),
    ...unaryCases('Neg', (b, x) => b.neg(x), r),
    ...unaryCases('Sqrt', (b, x) => b.sqrt(x), r, 'positive'),
    ...unaryCases('Reciprocal', (b, x) => b.reciprocal(x), r, 'away'),
    ...unaryCases('Exp', (b, x) => b.exp(x), r),
    ...unaryCases('Log', (b, x) => b.log(x), r, 'positive'),
    ...unaryCases('Abs', (b, x) => b.abs(x), r, 'away'),
    ...unaryCases('Sigmoid', (b, x) => b.sigmoid(x), r),
    ...unaryCases('Tanh', (b, x) => b.tanh(x), r),
    ...unaryCases('Relu', (b, x) => b.relu(x), r, 'away'),
    ...unaryCases('Erf', (b, x) => b.erf(x), r),
    ...unaryCases('Sin', (b, x) => b.sin(x), r),
    ...unaryCases('Cos', (b, x) => b.cos(x), r),
    ...unaryCases('Identity', (b, x) => b.identity(x), r),
    ...unaryCases('Clip', (b, x) => b.clip(x, -0.325, 0.475), r, 'spaced'),
    ...unaryCases('Clip', (b, x) => b.clip(x, undefined, 0.275), r, 'spaced'),
    ...unaryCases('Cast', (b, x) => b.cast(b.mul(b.cast(x, 'float64'), 2), 'float32'), r).map((c) => ({ ...c, float32: true })),
    ...whereCases(r),
    ...compositeCases(r),
  ];
}

function whereCases(r: Rng): GradCase[] {
  const [m, n] = [r.int(2, 4), r.int(2, 5)];
  return [
    { op: 'Where', name: `cond [${m},${n}], a [${m},${n}], b [${n}]`, inputs: [{ name: 'c', shape: [m, n] }, { name: 'a', shape: [m, n] }, { name: 'b', shape: [n] }], wrt: ['a', 'b'], build: (b, [c, x, y]) => b.where(b.greater(c as Value, 0), x as Value, y as Value) },
    { op: 'Where', name: `cond [${m},1], a [], b [${m},${n}] (cond from the operand)`, inputs: [{ name: 'a', shape: [] }, { name: 'b', shape: [m, n] }], build: (b, [x, y]) => b.where(b.greater(b.reduceSum(y as Value, [1]), 0), x as Value, y as Value) },
  ];
}

/** Composites from GraphBuilder (GELU, SiLU, quick GELU) and a fan-out that the walker must sum. */
function compositeCases(r: Rng): GradCase[] {
  const shape = [r.int(2, 4), r.int(2, 5)];
  const one = (op: string, fn: Unary): GradCase => ({ op, name: `[${shape}]`, inputs: [{ name: 'x', shape }], build: (b, [x]) => fn(b, x as Value) });
  return [
    one('GELU exact (composite)', (b, x) => b.gelu(x, 'exact')),
    one('GELU tanh (composite)', (b, x) => b.gelu(x, 'tanh')),
    one('SiLU (composite)', (b, x) => b.silu(x)),
    one('QuickGELU (composite)', (b, x) => b.quickGelu(x)),
    one('Fan-out (walker)', (b, x) => b.add(b.mul(x, x), b.mul(b.sin(x), b.exp(b.mul(x, 0.3))))),
  ];
}
