// Small shape helpers gradient rules share. Rules emit nodes with the builder's own ops (the
// vocabulary model code uses); these only add what a rule needs on top: reading shapes, and
// skipping a Reshape, Transpose or ReduceSum that would do nothing, so backward graphs stay lean.
import { broadcastReduction } from '../core/shape';
import type { DType } from '../core/dtype';
import type { GraphBuilder } from '../ir/builder';
import type { Value } from '../ir/graph';

type Ints = readonly number[];

export const shapeOf = (v: Value): readonly number[] => v.type.shape;
export const rankOf = (v: Value): number => v.type.shape.length;
export const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
export const normAxis = (axis: number, rank: number): number => (axis < 0 ? axis + rank : axis);
const sameShape = (a: Ints, b: Ints): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** x reshaped to `shape` (x itself when it already has it). */
export function reshapeTo(b: GraphBuilder, x: Value, shape: Ints): Value {
  return sameShape(shapeOf(x), shape) ? x : b.reshape(x, shape);
}

/** x transposed by `perm` (x itself for the identity). */
export function permute(b: GraphBuilder, x: Value, perm: Ints): Value {
  return perm.every((p, i) => p === i) ? x : b.transpose(x, perm);
}

/** Swaps the last two axes. */
export function mT(b: GraphBuilder, x: Value): Value {
  const r = rankOf(x);
  return permute(b, x, [...range(0, r - 2), r - 1, r - 2]);
}

/** Sum over `axes` (x itself when there are none: ONNX would read [] as every axis). */
export function sumOver(b: GraphBuilder, x: Value, axes: Ints, keepdims: boolean): Value {
  return axes.length === 0 ? x : b.reduceSum(x, axes, keepdims);
}

/** Zeros of a shape and dtype (a broadcast scalar, not a materialised constant). */
export function zeros(b: GraphBuilder, shape: Ints, dtype: DType): Value {
  return b.expand(b.scalar(0, dtype), shape);
}

export const zerosLike = (b: GraphBuilder, v: Value): Value => zeros(b, shapeOf(v), v.type.dtype);

/** Sums `g` (a broadcast result) back to `shape`: ReduceSum over the broadcast axes + Reshape. */
export function unbroadcast(b: GraphBuilder, g: Value, shape: Ints): Value {
  const { reduce } = broadcastReduction(shape, shapeOf(g));
  return reshapeTo(b, sumOver(b, g, reduce, true), shape);
}
