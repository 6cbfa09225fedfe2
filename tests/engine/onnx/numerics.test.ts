// Emits graphs of each op family and runs them on onnxruntime (CPU), comparing with TypeScript
// references: proves the emitter's lowering (attributes vs constant inputs at opset 17) is right.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src/engine/ir/builder';
import { conv2d, convTranspose2d, erf, matmul, normalize, rows, softmax } from './reference';
import { expectClose, feed, randomFloats, runGraph } from './run-graph';

const f32 = (values: readonly number[]): Float32Array => new Float32Array(values);
const round32 = (values: readonly number[]): number[] => Array.from(f32(values));

describe('elementwise and broadcasting', () => {
  it('binary ops broadcast, scalars follow the tensor dtype, comparisons and where', async () => {
    const b = new GraphBuilder('elementwise');
    const x = b.input('x', 'float32', [2, 3]);
    const y = b.input('y', 'float32', [3]);
    b.output(b.add(x, y), 'add');
    b.output(b.sub(2, x), 'rsub');
    b.output(b.div(b.mul(x, y), 4), 'muldiv');
    b.output(b.pow(b.abs(x), 2), 'pow');
    b.output(b.max(x, y), 'max');
    b.output(b.min(x, 0), 'min');
    b.output(b.where(b.greater(x, y), x, -1), 'where');
    b.output(b.cast(b.lessOrEqual(x, 0), 'float32'), 'le');
    b.output(b.clip(x, -0.5, 0.25), 'clip');
    b.output(b.clip(x, undefined, 0.1), 'clipmax');
    const xs = randomFloats(6, 3);
    const ys = round32(randomFloats(3, 4));
    const out = await runGraph(b.build(), { x: feed('float32', [2, 3], f32(xs)), y: feed('float32', [3], f32(ys)) });
    const x32 = round32(xs);
    const yb = (i: number): number => ys[i % 3] ?? 0;
    expectClose(out.add?.values ?? [], x32.map((v, i) => v + yb(i)));
    expectClose(out.rsub?.values ?? [], x32.map((v) => 2 - v));
    expectClose(out.muldiv?.values ?? [], x32.map((v, i) => (v * yb(i)) / 4));
    expectClose(out.pow?.values ?? [], x32.map((v) => v * v));
    expectClose(out.max?.values ?? [], x32.map((v, i) => Math.max(v, yb(i))));
    expectClose(out.min?.values ?? [], x32.map((v) => Math.min(v, 0)));
    expectClose(out.where?.values ?? [], x32.map((v, i) => (v > yb(i) ? v : -1)));
    expectClose(out.le?.values ?? [], x32.map((v) => (v <= 0 ? 1 : 0)));
    expectClose(out.clip?.values ?? [], x32.map((v) => Math.min(Math.max(v, -0.5), 0.25)));
    expectClose(out.clipmax?.values ?? [], x32.map((v) => Math.min(v, 0.1)));
    expect(out.add?.dims).toEqual([2, 3]);
  });

  it('unary math and activations (silu, gelu exact/tanh, quickGelu)', async () => {
    const b = new GraphBuilder('unary');
    const x = b.input('x', 'float32', [8]);
    const ops = {
      neg: b.neg(x), sqrt: b.sqrt(b.abs(x)), exp: b.exp(x), log: b.log(b.add(b.abs(x), 1)), sigmoid: b.sigmoid(x),
      tanh: b.tanh(x), erf: b.erf(x), sin: b.sin(x), cos: b.cos(x), recip: b.reciprocal(b.add(b.abs(x), 1)),
      relu: b.relu(x), sign: b.sign(x), floor: b.floor(x), ceil: b.ceil(x),
      silu: b.silu(x), gelu: b.gelu(x), geluTanh: b.gelu(x, 'tanh'), quickGelu: b.quickGelu(x),
    };
    for (const [name, v] of Object.entries(ops)) b.output(v, name);
    const xs = round32(randomFloats(8, 5).map((v) => v * 3));
    const out = await runGraph(b.build(), { x: feed('float32', [8], f32(xs)) });
    const sig = (v: number): number => 1 / (1 + Math.exp(-v));
    const ref: Record<keyof typeof ops, (v: number) => number> = {
      neg: (v) => -v, sqrt: (v) => Math.sqrt(Math.abs(v)), exp: Math.exp, log: (v) => Math.log(Math.abs(v) + 1), sigmoid: sig,
      tanh: Math.tanh, erf, sin: Math.sin, cos: Math.cos, recip: (v) => 1 / (Math.abs(v) + 1),
      relu: (v) => Math.max(v, 0), sign: Math.sign, floor: Math.floor, ceil: Math.ceil,
      silu: (v) => v * sig(v), gelu: (v) => 0.5 * v * (1 + erf(v / Math.SQRT2)),
      geluTanh: (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))),
      quickGelu: (v) => v * sig(1.702 * v),
    };
    for (const [name, fn] of Object.entries(ref)) expectClose(out[name]?.values ?? [], xs.map(fn), 2e-6);
  });
});

describe('linear algebra and convolution', () => {
  it('matmul (batched, broadcast) and gemm with transB and bias', async () => {
    const b = new GraphBuilder('linalg');
    const a = b.input('a', 'float32', [2, 3, 4]);
    const w = b.initializer('w', f32(randomFloats(20, 7)), [4, 5]);
    b.output(b.matmul(a, w), 'mm');
    const a2 = b.reshape(a, [6, 4]);
    const wt = b.initializer('wt', f32(randomFloats(20, 8)), [5, 4]);
    const bias = b.initializer('bias', f32([1, 2, 3, 4, 5]), [5]);
    b.output(b.gemm(a2, wt, bias, { transB: 1, alpha: 0.5 }), 'gemm');
    const as = round32(randomFloats(24, 9));
    const out = await runGraph(b.build(), { a: feed('float32', [2, 3, 4], f32(as)) });
    expect(out.mm?.dims).toEqual([2, 3, 5]);
    expectClose(out.mm?.values ?? [], matmul(as, round32(randomFloats(20, 7)), 6, 4, 5));
    const wts = round32(randomFloats(20, 8));
    const wT = Array.from({ length: 20 }, (_, i) => wts[(i % 5) * 4 + Math.floor(i / 5)] ?? 0);
    expectClose(out.gemm?.values ?? [], matmul(as, wT, 6, 4, 5).map((v, i) => 0.5 * v + (i % 5) + 1));
  });

  it.each([
    { stride: 1, pad: 1, dilation: 1, group: 1 },
    { stride: 2, pad: 1, dilation: 1, group: 1 },
    { stride: 1, pad: 2, dilation: 2, group: 2 },
  ])('conv2d stride $stride pad $pad dilation $dilation group $group', async ({ stride, pad, dilation, group }) => {
    const s = { n: 2, c: 4, h: 5, w: 6, m: 4, kh: 3, kw: 3, stride, pad, dilation, group };
    const xs = round32(randomFloats(2 * 4 * 5 * 6, 11));
    const ws = round32(randomFloats(4 * (4 / group) * 9, 12));
    const bs = round32(randomFloats(4, 13));
    const b = new GraphBuilder('conv');
    const x = b.input('x', 'float32', [2, 4, 5, 6]);
    const w = b.initializer('w', f32(ws), [4, 4 / group, 3, 3]);
    const bias = b.initializer('b', f32(bs), [4]);
    b.output(b.conv(x, w, bias, { strides: [stride, stride], pads: [pad, pad, pad, pad], dilations: [dilation, dilation], group }), 'y');
    const out = await runGraph(b.build(), { x: feed('float32', [2, 4, 5, 6], f32(xs)) });
    const ref = conv2d(xs, ws, bs, s);
    expect(out.y?.dims).toEqual([2, 4, ref.oh, ref.ow]);
    expectClose(out.y?.values ?? [], ref.out, 1e-5);
  });

  it('convTranspose stride 2 and nearest resize (upsample x2)', async () => {
    const xs = round32(randomFloats(1 * 2 * 3 * 3, 21));
    const ws = round32(randomFloats(2 * 3 * 4 * 4, 22));
    const b = new GraphBuilder('upsample');
    const x = b.input('x', 'float32', [1, 2, 3, 3]);
    const w = b.initializer('w', f32(ws), [2, 3, 4, 4]);
    b.output(b.convTranspose(x, w, undefined, { strides: [2, 2], pads: [1, 1, 1, 1] }), 'ct');
    b.output(b.upsampleNearest(x, 2), 'up');
    const out = await runGraph(b.build(), { x: feed('float32', [1, 2, 3, 3], f32(xs)) });
    const ref = convTranspose2d(xs, ws, { n: 1, c: 2, h: 3, w: 3, m: 3, kh: 4, kw: 4, stride: 2, pad: 1 });
    expect(out.ct?.dims).toEqual([1, 3, ref.oh, ref.ow]);
    expectClose(out.ct?.values ?? [], ref.out);
    const up = Array.from({ length: 2 * 6 * 6 }, (_, i) => {
      const c = Math.floor(i / 36);
      const y = Math.floor((i % 36) / 6);
      const x0 = i % 6;
      return xs[c * 9 + Math.floor(y / 2) * 3 + Math.floor(x0 / 2)] ?? 0;
    });
    expect(out.up?.dims).toEqual([1, 2, 6, 6]);
    expectClose(out.up?.values ?? [], up, 0);
  });
});

describe('reductions, softmax and normalisation', () => {
  it('reduce sum/mean/max/min, logSumExp, softmax, logSoftmax, cumsum, topK, argMax', async () => {
    const xs = round32(randomFloats(12, 31).map((v) => v * 4));
    const b = new GraphBuilder('reduce');
    const x = b.input('x', 'float32', [3, 4]);
    b.output(b.reduceSum(x, [1], false), 'sum');
    b.output(b.reduceSum(x), 'sumAll');
    b.output(b.reduceMean(x, [0]), 'mean');
    b.output(b.reduceMax(x, [1], false), 'max');
    b.output(b.reduceMin(x, [-1], false), 'min');
    b.output(b.logSumExp(x, [1], false), 'lse');
    b.output(b.softmax(x), 'softmax');
    b.output(b.logSoftmax(x, 1), 'logSoftmax');
    b.output(b.cumSum(x, 1), 'cumsum');
    b.output(b.cumSum(x, 1, { reverse: true, exclusive: true }), 'cumsumRev');
    const [top, idx] = b.topK(x, 2);
    b.output(top, 'top');
    b.output(idx, 'idx');
    b.output(b.argMax(x, 1, false), 'argmax');
    const out = await runGraph(b.build(), { x: feed('float32', [3, 4], f32(xs)) });
    const sum = (r: number[]): number => r.reduce((a, c) => a + c, 0);
    expectClose(out.sum?.values ?? [], rows(xs, 4, (r) => [sum(r)]));
    expect(out.sumAll?.dims).toEqual([1, 1]);
    expectClose(out.sumAll?.values ?? [], [sum(xs)]);
    expectClose(out.mean?.values ?? [], [0, 1, 2, 3].map((j) => ((xs[j] ?? 0) + (xs[j + 4] ?? 0) + (xs[j + 8] ?? 0)) / 3));
    expectClose(out.max?.values ?? [], rows(xs, 4, (r) => [Math.max(...r)]));
    expectClose(out.min?.values ?? [], rows(xs, 4, (r) => [Math.min(...r)]));
    expectClose(out.lse?.values ?? [], rows(xs, 4, (r) => [Math.log(sum(r.map(Math.exp)))]));
    expectClose(out.softmax?.values ?? [], rows(xs, 4, softmax));
    expectClose(out.logSoftmax?.values ?? [], rows(xs, 4, (r) => softmax(r).map(Math.log)));
    expectClose(out.cumsum?.values ?? [], rows(xs, 4, (r) => r.map((_, i) => sum(r.slice(0, i + 1)))));
    expectClose(out.cumsumRev?.values ?? [], rows(xs, 4, (r) => r.map((_, i) => sum(r.slice(i + 1)))));
    const sorted = rows(xs, 4, (r) => r.map((v, i) => ({ v, i })).sort((p, q) => q.v - p.v).slice(0, 2).map((e) => e.v));
    expectClose(out.top?.values ?? [], sorted);
    expect(out.idx?.values).toEqual(rows(xs, 4, (r) => r.map((v, i) => ({ v, i })).sort((p, q) => q.v - p.v).slice(0, 2).map((e) => e.i)));
    expect(out.argmax?.values).toEqual(rows(xs, 4, (r) => [r.indexOf(Math.max(...r))]));
  });

  it('layerNorm, instanceNorm and groupNorm (composite) match references', async () => {
    const xs = round32(randomFloats(2 * 4 * 3, 41).map((v) => v * 2 + 0.5));
    const gamma = round32(randomFloats(4, 42));
    const beta = round32(randomFloats(4, 43));
    const b = new GraphBuilder('norms');
    const x = b.input('x', 'float32', [2, 4, 3]);
    const g = b.initializer('gamma', f32(gamma), [4]);
    const be = b.initializer('beta', f32(beta), [4]);
    const g3 = b.initializer('gamma3', f32([1, 2, 3]), [3]);
    b.output(b.layerNorm(x, g3, undefined, { epsilon: 1e-5 }), 'ln');
    b.output(b.instanceNorm(x, g, be), 'in');
    b.output(b.groupNorm(x, 2, g, be, 1e-6), 'gn');
    const out = await runGraph(b.build(), { x: feed('float32', [2, 4, 3], f32(xs)) });
    expectClose(out.ln?.values ?? [], rows(xs, 3, (r) => normalize(r, 1e-5).map((v, i) => v * (i + 1))), 1e-5);
    const perChannel = (eps: number, len: number): number[] => rows(xs, len, (r) => normalize(r, eps));
    expectClose(out.in?.values ?? [], perChannel(1e-5, 3).map((v, i) => v * (gamma[Math.floor(i / 3) % 4] ?? 0) + (beta[Math.floor(i / 3) % 4] ?? 0)), 1e-5);
    expectClose(out.gn?.values ?? [], perChannel(1e-6, 6).map((v, i) => v * (gamma[Math.floor(i / 3) % 4] ?? 0) + (beta[Math.floor(i / 3) % 4] ?? 0)), 1e-5);
  });
});
