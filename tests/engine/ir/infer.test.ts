// Static shape and dtype inference per op, numpy broadcasting, and the errors a mismatch raises:
// the right code, a message naming the op, the node and the shapes, and structured details.
import { describe, expect, it } from 'vitest';
import { broadcastReduction, broadcastShapes, tryBroadcastShapes } from '../../../src/engine/core/shape';
import { GraphBuilder } from '../../../src/engine/ir/builder';
import type { Value } from '../../../src/engine/ir/graph';
import { inferTypes } from '../../../src/engine/ir/infer/index';

const shape = (v: Value): readonly number[] => v.type.shape;

function fresh(): { b: GraphBuilder; x: Value } {
  const b = new GraphBuilder('t');
  return { b, x: b.input('x', 'float32', [2, 3, 8, 8]) };
}

describe('broadcasting', () => {
  it('follows numpy rules and undoes them', () => {
    expect(broadcastShapes([[2, 1, 4], [3, 1], []])).toEqual([2, 3, 4]);
    expect(tryBroadcastShapes([2, 3], [4, 3])).toBeUndefined();
    expect(() => broadcastShapes([[2, 3], [4, 3]])).toThrow(/\[2,3\] and \[4,3\] do not broadcast/);
    expect(broadcastReduction([3, 1], [2, 3, 4])).toEqual({ reduce: [0, 2], leading: 1 });
    expect(broadcastReduction([2, 3, 4], [2, 3, 4])).toEqual({ reduce: [], leading: 0 });
  });
});

describe('shape inference per op', () => {
  it('elementwise, comparisons, where and cast', () => {
    const { b, x } = fresh();
    const row = b.input('row', 'float32', [8]);
    expect(shape(b.add(x, row))).toEqual([2, 3, 8, 8]);
    expect(b.less(row, 0).type).toEqual({ dtype: 'bool', shape: [8] });
    expect(shape(b.where(b.greater(row, 0), x, 0))).toEqual([2, 3, 8, 8]);
    expect(b.cast(row, 'int64').type).toEqual({ dtype: 'int64', shape: [8] });
    expect(b.mul(b.input('i', 'int64', [2]), 3).type.dtype).toBe('int64');
  });

  it('matmul (vector and batched), gemm, conv, convTranspose and resize', () => {
    const { b, x } = fresh();
    const m = b.input('m', 'float32', [5, 1, 4, 6]);
    expect(shape(b.matmul(m, b.input('n', 'float32', [3, 6, 2])))).toEqual([5, 3, 4, 2]);
    expect(shape(b.matmul(b.input('v', 'float32', [6]), b.input('k', 'float32', [6, 2])))).toEqual([2]);
    expect(shape(b.gemm(b.input('a', 'float32', [4, 3]), b.input('bt', 'float32', [5, 3]), b.input('c', 'float32', [5]), { transB: 1 }))).toEqual([4, 5]);
    const w = b.input('w', 'float32', [6, 1, 3, 3]);
    expect(shape(b.conv(x, w, undefined, { group: 3, strides: [2, 2], pads: [1, 1, 1, 1] }))).toEqual([2, 6, 4, 4]);
    const wt = b.input('wt', 'float32', [3, 4, 4, 4]);
    expect(shape(b.convTranspose(x, wt, undefined, { strides: [2, 2], pads: [1, 1, 1, 1] }))).toEqual([2, 4, 16, 16]);
    expect(shape(b.upsampleNearest(x, 2))).toEqual([2, 3, 16, 16]);
  });

  it('reductions, arg/topK, softmax and norms', () => {
    const { b, x } = fresh();
    expect(shape(b.reduceSum(x, [1, -1]))).toEqual([2, 1, 8, 1]);
    expect(shape(b.reduceMean(x, [1], false))).toEqual([2, 8, 8]);
    expect(shape(b.logSumExp(x))).toEqual([1, 1, 1, 1]);
    expect(b.argMax(x, 1, false).type).toEqual({ dtype: 'int64', shape: [2, 8, 8] });
    const [vals, idx] = b.topK(x, 3, 2);
    expect([shape(vals), idx.type.dtype]).toEqual([[2, 3, 3, 8], 'int64']);
    expect(shape(b.softmax(x, 1))).toEqual([2, 3, 8, 8]);
    const scale = b.input('s', 'float32', [8, 8]);
    expect(shape(b.layerNorm(x, scale, undefined, { axis: 2 }))).toEqual([2, 3, 8, 8]);
    const c = b.input('c', 'float32', [3]);
    expect(shape(b.groupNorm(x, 3, c, c))).toEqual([2, 3, 8, 8]);
  });

  it('movement ops', () => {
    const { b, x } = fresh();
    expect(shape(b.reshape(x, [2, -1, 64]))).toEqual([2, 3, 64]);
    expect(shape(b.transpose(x, [0, 2, 3, 1]))).toEqual([2, 8, 8, 3]);
    expect(shape(b.concat([x, x], 1))).toEqual([2, 6, 8, 8]);
    expect(b.split(x, [1, 2], 1).map(shape)).toEqual([[2, 1, 8, 8], [2, 2, 8, 8]]);
    expect(shape(b.slice(x, [0, 7], [1, -100], [1, 3], [1, -2]))).toEqual([2, 1, 8, 4]);
    expect(shape(b.slice(x, [2], [1000], [2]))).toEqual([2, 3, 6, 8]);
    expect(shape(b.gather(x, b.input('ids', 'int64', [4, 5]), 1))).toEqual([2, 4, 5, 8, 8]);
    expect(shape(b.expand(b.input('one', 'float32', [3, 1]), [2, 3, 4]))).toEqual([2, 3, 4]);
    expect(shape(b.unsqueeze(x, [0, -1]))).toEqual([1, 2, 3, 8, 8, 1]);
    expect(shape(b.squeeze(b.input('sq', 'float32', [1, 4, 1])))).toEqual([4]);
    expect(shape(b.tile(x, [1, 2, 1, 1]))).toEqual([2, 6, 8, 8]);
    expect(shape(b.pad(x, [0, 0, 1, 1, 0, 0, 1, 1]))).toEqual([2, 3, 10, 10]);
    expect(shape(b.cumSum(x, -1))).toEqual([2, 3, 8, 8]);
  });
});

describe('inference errors name the op, node and shapes', () => {
  it('shape mismatch in broadcasting', () => {
    const { b, x } = fresh();
    const bad = b.input('bad', 'float32', [5]);
    expect(() => b.add(x, bad)).toThrow(expect.objectContaining({
      code: 'shape-mismatch',
      message: "Add node 'Add_0': shapes [2,3,8,8] and [5] do not broadcast (each axis, aligned from the right, must be equal or 1) (inputs: float32[2,3,8,8], float32[5]).",
      details: expect.objectContaining({ op: 'Add', node: 'Add_0' }),
    }));
  });

  it('dtype conflicts, including numbers mixed with bool', () => {
    const { b, x } = fresh();
    const i = b.input('i', 'int64', [8]);
    expect(() => b.mul(x, i)).toThrow(expect.objectContaining({ code: 'dtype-mismatch', message: expect.stringMatching(/Mul node 'Mul_0': inputs must share one dtype but input 1 is int64 .*insert a Cast/) }));
    expect(() => b.exp(i)).toThrow(expect.objectContaining({ code: 'dtype-mismatch', message: expect.stringContaining('must be a float type, got int64') }));
    expect(() => b.where(b.cast(i, 'float32'), x, x)).toThrow(expect.objectContaining({ code: 'dtype-mismatch' }));
  });

  it('matmul, conv, reshape, concat, split, gather and layer norm mismatches', () => {
    const { b, x } = fresh();
    expect(() => b.matmul(x, b.input('w', 'float32', [7, 2]))).toThrow(/MatMul node '.*': inner dimensions differ: \[2,3,8,8\] x \[7,2\] \(8 vs 7\)/);
    expect(() => b.conv(x, b.input('k', 'float32', [4, 2, 3, 3]))).toThrow(/Conv node .*X has 3 channels but W expects 2 x group 1/);
    expect(() => b.reshape(x, [5, -1])).toThrow(/cannot reshape \[2,3,8,8\] \(384 elements\) to \[5,-1\]/);
    expect(() => b.concat([x, b.input('y', 'float32', [2, 3, 8, 7])], 1)).toThrow(/input 1 \[2,3,8,7\] must match \[2,3,8,8\] on every axis but 1/);
    expect(() => b.split(x, [1, 1], 1)).toThrow(/split \[1,1\] must sum to 3/);
    expect(() => b.gather(x, b.input('f', 'float32', [2]))).toThrow(expect.objectContaining({ code: 'dtype-mismatch' }));
    expect(() => b.layerNorm(x, b.input('g', 'float32', [3]))).toThrow(/scale must be \[8\], got \[3\]/);
    expect(() => b.transpose(x, [0, 1, 1, 2])).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => b.reduceSum(x, [4])).toThrow(/axis 4 is out of range for rank 4/);
    expect(() => b.groupNorm(x, 2, b.input('c', 'float32', [3]), b.input('d', 'float32', [3]))).toThrow(expect.objectContaining({ code: 'shape-mismatch' }));
  });

  it('unknown ops, wrong arity and foreign values', () => {
    expect(() => inferTypes('Frobnicate' as 'Add', [], {}, 'n1')).toThrow(expect.objectContaining({ code: 'unknown-op', details: { op: 'Frobnicate', node: 'n1' } }));
    expect(() => inferTypes('Add', [{ dtype: 'float32', shape: [1] }], {}, 'n2')).toThrow(/Add node 'n2': takes 2 inputs, got 1/);
    const other = new GraphBuilder('other').input('z', 'float32', [2, 3, 8, 8]);
    const { b, x } = fresh();
    expect(() => b.add(x, other)).toThrow(expect.objectContaining({ code: 'graph-invalid' }));
  });

  it('bad names, shapes and initializer data', () => {
    const { b } = fresh();
    expect(() => b.input('x', 'float32', [1])).toThrow(/already used/);
    expect(() => b.input('y', 'float32', [1.5])).toThrow(/must be non-negative integers/);
    expect(() => b.initializer('w', new Float32Array(5), [2, 3])).toThrow(expect.objectContaining({ code: 'shape-mismatch' }));
    expect(() => b.initializer('u', new Uint8Array(4), [4])).toThrow(/pass its dtype/);
    expect(b.initializer('u8', new Uint8Array(4), [4], 'bool').type.dtype).toBe('bool');
  });
});
