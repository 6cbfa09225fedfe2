// float64 and float16 graphs on onnxruntime's CPU provider (where it has kernels), int64 constants,
// and bool outputs; float16 travels as half bits in a Uint16Array.
import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, makeTensorData, tensorDataToNumbers } from '../../../src/engine/core/dtype';
import { GraphBuilder } from '../../../src/engine/ir/builder';
import { matmul, rows, softmax } from './reference';
import { expectClose, feed, randomFloats, runGraph } from './run-graph';

describe('dtypes', () => {
  it('float64 matmul, softmax, tanh and reductions keep double precision', async () => {
    const as = randomFloats(6, 51);
    const ws = randomFloats(6, 52);
    const b = new GraphBuilder('f64');
    const a = b.input('a', 'float64', [2, 3]);
    const w = b.initializer('w', new Float64Array(ws), [3, 2]);
    const y = b.matmul(a, w);
    b.output(y, 'mm');
    b.output(b.softmax(y), 'softmax');
    b.output(b.tanh(a), 'tanh');
    b.output(b.reduceMean(b.mul(a, 1e-3), [1], false), 'mean');
    const out = await runGraph(b.build(), { a: feed('float64', [2, 3], new Float64Array(as)) });
    const mm = matmul(as, ws, 2, 3, 2);
    expectClose(out.mm?.values ?? [], mm, 1e-13);
    expectClose(out.softmax?.values ?? [], rows(mm, 2, softmax), 1e-12);
    expectClose(out.tanh?.values ?? [], as.map(Math.tanh), 1e-12);
    expectClose(out.mean?.values ?? [], rows(as, 3, (r) => [(r.reduce((p, c) => p + c, 0) * 1e-3) / 3]), 1e-13);
  });

  it('float16 tensors round-trip through casts, adds and matmul', async () => {
    const xs = [0.5, -1.25, 2, 3.5];
    const b = new GraphBuilder('f16');
    const x = b.input('x', 'float16', [2, 2]);
    const h = b.add(x, x);
    b.output(h, 'sum16');
    b.output(b.matmul(x, x), 'mm16');
    b.output(b.cast(h, 'float32'), 'sum32');
    b.output(b.cast(b.cast(b.mul(b.cast(x, 'float32'), 3), 'float16'), 'float32'), 'via32');
    const out = await runGraph(b.build(), { x: feed('float16', [2, 2], makeTensorData('float16', xs)) });
    expect(out.sum16?.values).toEqual(xs.map((v) => 2 * v));
    expect(out.mm16?.values).toEqual(matmul(xs, xs, 2, 2, 2));
    expect(out.sum32?.values).toEqual(xs.map((v) => 2 * v));
    expect(out.via32?.values).toEqual(xs.map((v) => 3 * v));
  });

  it('float16 bit conversion rounds to nearest even and keeps specials', () => {
    const values = [0, -0, 1, 65504, 1e-8, 6.1e-5, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 70000, Number.NaN, -Infinity];
    const back = tensorDataToNumbers('float16', makeTensorData('float16', values));
    expect(float16BitsToFloat32(0x3c00)).toBe(1);
    expect(back).toEqual([0, -0, 1, 65504, 0, 0.00006097555160522461, 1, 1 + 2 * 2 ** -10, Infinity, Number.NaN, -Infinity]);
  });

  it('int64 and int32 arithmetic and bool logic', async () => {
    const b = new GraphBuilder('ints');
    const i = b.input('i', 'int64', [3]);
    const j = b.input('j', 'int32', [3]);
    b.output(b.mul(b.add(i, 2), 3), 'i64');
    b.output(b.cumSum(j, 0), 'i32');
    const pos = b.greater(i, 0);
    b.output(b.and(pos, b.not(b.equal(i, 2))), 'logic');
    const out = await runGraph(b.build(), {
      i: feed('int64', [3], new BigInt64Array([-1n, 2n, 5n])),
      j: feed('int32', [3], new Int32Array([1, 2, 3])),
    });
    expect(out.i64?.values).toEqual([3, 12, 21]);
    expect(out.i32?.values).toEqual([1, 3, 6]);
    expect(out.logic?.values).toEqual([0, 0, 1]);
  });
});
