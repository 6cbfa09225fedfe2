// GradOps: the small op vocabulary gradient rules are written in. Each helper emits one IR node (or
// a short fixed chain) on the builder continued from the forward graph, with shape inference, so a
// rule that builds a wrong backward graph fails at the line that built it.
import type { DType } from '../core/dtype';
import { broadcastReduction } from '../core/shape';
import type { GraphCore } from '../ir/builder-core';
import type { Value } from '../ir/graph';
import type { AttrsOf, OpType } from '../ir/ops';

export type GradBuilder = Pick<GraphCore, 'op' | 'op1' | 'constant' | 'scalar'>;
type Ints = readonly number[];

export const shapeOf = (v: Value): readonly number[] => v.type.shape;
export const rankOf = (v: Value): number => v.type.shape.length;
export const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
export const normAxis = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);

export class GradOps {
  constructor(readonly b: GradBuilder) {}

  scalar(value: number, like: Value): Value { return this.b.scalar(value, like.type.dtype); }
  add(a: Value, c: Value): Value { return this.b.op1('Add', [a, c], {}); }
  sub(a: Value, c: Value): Value { return this.b.op1('Sub', [a, c], {}); }
  mul(a: Value, c: Value): Value { return this.b.op1('Mul', [a, c], {}); }
  div(a: Value, c: Value): Value { return this.b.op1('Div', [a, c], {}); }
  neg(a: Value): Value { return this.b.op1('Neg', [a], {}); }
  exp(a: Value): Value { return this.b.op1('Exp', [a], {}); }
  log(a: Value): Value { return this.b.op1('Log', [a], {}); }
  sin(a: Value): Value { return this.b.op1('Sin', [a], {}); }
  cos(a: Value): Value { return this.b.op1('Cos', [a], {}); }
  sign(a: Value): Value { return this.b.op1('Sign', [a], {}); }
  pow(a: Value, e: Value): Value { return this.b.op1('Pow', [a, e], {}); }
  sqrt(a: Value): Value { return this.b.op1('Sqrt', [a], {}); }
  reciprocal(a: Value): Value { return this.b.op1('Reciprocal', [a], {}); }
  scale(a: Value, k: number): Value { return k === 1 ? a : this.mul(a, this.scalar(k, a)); }
  /** 1 - a. */
  oneMinus(a: Value): Value { return this.sub(this.scalar(1, a), a); }
  square(a: Value): Value { return this.mul(a, a); }

  equal(a: Value, c: Value): Value { return this.b.op1('Equal', [a, c], {}); }
  greater(a: Value, c: Value): Value { return this.b.op1('Greater', [a, c], {}); }
  less(a: Value, c: Value): Value { return this.b.op1('Less', [a, c], {}); }
  and(a: Value, c: Value): Value { return this.b.op1('And', [a, c], {}); }
  where(cond: Value, a: Value, c: Value): Value { return this.b.op1('Where', [cond, a, c], {}); }
  /** A bool mask as 0/1 of `like`'s dtype. */
  mask(cond: Value, like: Value): Value { return this.cast(cond, like.type.dtype); }
  /** g where cond, else 0. */
  keep(cond: Value, g: Value): Value { return this.where(cond, g, this.scalar(0, g)); }
  cast(a: Value, to: DType): Value { return a.type.dtype === to ? a : this.b.op1('Cast', [a], { to }); }

  reduceSum(a: Value, axes: Ints, keepdims: 0 | 1 = 1): Value {
    return axes.length === 0 ? a : this.b.op1('ReduceSum', [a], { axes: [...axes], keepdims });
  }
  reduceMean(a: Value, axes: Ints): Value { return this.b.op1('ReduceMean', [a], { axes: [...axes], keepdims: 1 }); }
  reshape(a: Value, shape: Ints): Value {
    return a.type.shape.length === shape.length && a.type.shape.every((d, i) => d === shape[i]) ? a : this.b.op1('Reshape', [a], { shape: [...shape] });
  }
  expand(a: Value, shape: Ints): Value { return this.b.op1('Expand', [a], { shape: [...shape] }); }
  transpose(a: Value, perm: Ints): Value {
    return perm.every((p, i) => p === i) ? a : this.b.op1('Transpose', [a], { perm: [...perm] });
  }
  /** Swaps the last two axes. */
  mT(a: Value): Value {
    const r = rankOf(a);
    return this.transpose(a, [...range(0, r - 2), r - 1, r - 2]);
  }
  unsqueeze(a: Value, axes: Ints): Value { return this.b.op1('Unsqueeze', [a], { axes: [...axes] }); }
  squeeze(a: Value, axes: Ints): Value { return this.b.op1('Squeeze', [a], { axes: [...axes] }); }
  matmul(a: Value, c: Value): Value { return this.b.op1('MatMul', [a, c], {}); }
  concat(parts: readonly Value[], axis: number): Value { return parts.length === 1 && parts[0] ? parts[0] : this.b.op1('Concat', parts, { axis }); }
  slice(a: Value, starts: Ints, ends: Ints, axes: Ints, steps?: Ints): Value {
    const whole = axes.every((ax, i) => starts[i] === 0 && (ends[i] ?? 0) >= (shapeOf(a)[ax] ?? 0) && (steps?.[i] ?? 1) === 1);
    if (whole) return a;
    return this.b.op1('Slice', [a], { starts: [...starts], ends: [...ends], axes: [...axes], ...(steps ? { steps: [...steps] } : {}) });
  }
  pad(a: Value, pads: Ints): Value { return pads.every((p) => p === 0) ? a : this.b.op1('Pad', [a], { pads: [...pads], mode: 'constant', value: 0 }); }
  /** Zeros of a shape and dtype (a broadcast scalar, not a materialised constant). */
  zeros(shape: Ints, dtype: DType): Value { return this.expand(this.b.scalar(0, dtype), shape); }
  zerosLike(v: Value): Value { return this.zeros(shapeOf(v), v.type.dtype); }
  op<O extends OpType>(op: O, inputs: readonly Value[], attrs: AttrsOf<O>): Value { return this.b.op1(op, inputs, attrs); }

  /** Sums `g` (shape `to`, the broadcast result) back to `shape`: ReduceSum over broadcast axes + Reshape. */
  unbroadcast(g: Value, shape: Ints): Value {
    const { reduce } = broadcastReduction(shape, shapeOf(g));
    return this.reshape(this.reduceSum(g, reduce, 1), shape);
  }
}
