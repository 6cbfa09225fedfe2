// Gradcheck cases for MatMul (batched, broadcast, 1-D), Gemm (every transpose, C broadcast),
// Conv and ConvTranspose (1-D/2-D/3-D, stride, asymmetric pads, dilation, groups, depthwise; Conv's
// input gradient both as the flipped-kernel Conv and as ConvTranspose over the same weight) and
// nearest Resize.
import type { AttrsOf } from '../../src/engine/ir/ops';
import type { Value } from '../../src/engine/ir/graph';
import type { GradCase } from './harness';
import { Rng } from './rng';

function matmulCases(r: Rng): GradCase[] {
  const [m, k, n, p] = [r.int(1, 4), r.int(2, 5), r.int(1, 4), r.int(2, 3)];
  const pairs: [number[], number[]][] = [[[m, k], [k, n]], [[p, 1, m, k], [3, k, n]], [[k], [k, n]], [[p, m, k], [k]], [[k], [k]], [[p, m, k], [1, k, n]]];
  return pairs.map(([a, b]) => ({ op: 'MatMul', name: `[${a}] @ [${b}]`, inputs: [{ name: 'a', shape: a }, { name: 'b', shape: b }], build: (g, [x, y]) => g.matmul(x as Value, y as Value) }));
}

function gemmCases(r: Rng): GradCase[] {
  const [m, k, n] = [r.int(2, 4), r.int(2, 4), r.int(2, 4)];
  const out: GradCase[] = [];
  for (const transA of [0, 1] as const) {
    for (const transB of [0, 1] as const) {
      const cShape = [[m, n], [n], [1, n], [m, 1]][transA * 2 + transB] ?? [n];
      out.push({
        op: 'Gemm',
        name: `transA=${transA} transB=${transB} C [${cShape}]`,
        inputs: [{ name: 'a', shape: transA ? [k, m] : [m, k] }, { name: 'b', shape: transB ? [n, k] : [k, n] }, { name: 'c', shape: cShape }],
        build: (g, [a, b, c]) => g.gemm(a as Value, b as Value, c, { alpha: 0.7, beta: -1.3, transA, transB }),
      });
    }
  }
  out.push({ op: 'Gemm', name: 'no C', inputs: [{ name: 'a', shape: [m, k] }, { name: 'b', shape: [k, n] }], build: (g, [a, b]) => g.gemm(a as Value, b as Value, undefined, { alpha: 2 }) });
  return out;
}

interface ConvSpec { x: number[]; w: number[]; attrs: AttrsOf<'Conv'>; bias?: boolean; label: string }

const convSpecs: ConvSpec[] = [
  { label: '2-D plain', x: [2, 3, 5, 5], w: [4, 3, 3, 3], attrs: {}, bias: true },
  { label: '2-D stride 2, pads 1', x: [1, 2, 6, 7], w: [3, 2, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] }, bias: true },
  { label: '2-D asymmetric pads, stride (2,1), dilation (1,2), groups 2', x: [2, 4, 5, 6], w: [6, 2, 3, 2], attrs: { strides: [2, 1], pads: [1, 0, 0, 2], dilations: [1, 2], group: 2 } },
  { label: '2-D depthwise stride 3 (size-1 output axis)', x: [1, 3, 4, 4], w: [3, 1, 2, 2], attrs: { strides: [3, 3], group: 3 }, bias: true },
  { label: '1-D stride 2 dilation 2', x: [2, 2, 9], w: [3, 2, 3], attrs: { strides: [2], dilations: [2], pads: [2, 1] } },
  { label: '3-D', x: [1, 2, 3, 4, 3], w: [2, 2, 2, 2, 2], attrs: { pads: [1, 0, 1, 0, 1, 0] }, bias: true },
  { label: '1x1 kernel', x: [2, 3, 2, 3], w: [5, 3, 1, 1], attrs: {}, bias: true },
  { label: '2-D 3x3 stride 1, pads 1 (the UNet\'s conv)', x: [2, 3, 4, 5], w: [4, 3, 3, 3], attrs: { pads: [1, 1, 1, 1] }, bias: true },
  { label: '2-D stride 1, groups 2, dilation 2, pads (2,1,0,2)', x: [1, 4, 6, 5], w: [4, 2, 3, 2], attrs: { pads: [2, 1, 0, 2], dilations: [2, 2], group: 2 } },
];

/** Every spec with the default ('flip') input gradient, and again with convInputGrad 'transpose'. */
function convCases(): GradCase[] {
  return (['flip', 'transpose'] as const).flatMap((mode) => convSpecs.map((s) => ({
    op: 'Conv',
    name: mode === 'flip' ? s.label : `${s.label}, dx by ConvTranspose`,
    inputs: [{ name: 'x', shape: s.x }, { name: 'w', shape: s.w }, ...(s.bias ? [{ name: 'bias', shape: [s.w[0] ?? 1] }] : [])],
    build: (g, [x, w, bias]) => g.conv(x as Value, w as Value, bias, s.attrs),
    ...(mode === 'transpose' ? { gradOptions: { convInputGrad: mode } } : {}),
  })));
}

interface ConvTSpec { x: number[]; w: number[]; attrs: AttrsOf<'ConvTranspose'>; label: string }

const convTSpecs: ConvTSpec[] = [
  { label: '2-D plain', x: [2, 3, 3, 3], w: [3, 2, 3, 3], attrs: {} },
  { label: '2-D stride 2, pads 1, output_padding 1', x: [1, 2, 3, 4], w: [2, 3, 3, 3], attrs: { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] } },
  { label: '2-D groups 2, dilation 2, stride (1,2)', x: [2, 4, 3, 3], w: [4, 1, 2, 3], attrs: { group: 2, dilations: [2, 2], strides: [1, 2] } },
  { label: '1-D stride 3', x: [2, 2, 4], w: [2, 3, 2], attrs: { strides: [3], pads: [1, 0] } },
];

function convTransposeCases(): GradCase[] {
  return convTSpecs.map((s) => ({
    op: 'ConvTranspose',
    name: s.label,
    inputs: [{ name: 'x', shape: s.x }, { name: 'w', shape: s.w }, { name: 'bias', shape: [(s.w[1] ?? 1) * (s.attrs.group ?? 1)] }],
    build: (g, [x, w, bias]) => g.convTranspose(x as Value, w as Value, bias, s.attrs),
  }));
}

function resizeCases(): GradCase[] {
  const specs: [number[], number[]][] = [[[1, 2, 3, 3], [1, 1, 2, 2]], [[2, 1, 2, 3], [1, 1, 3, 2]], [[1, 1, 4], [1, 1, 2]], [[1, 2, 1, 2], [1, 1, 1, 3]]];
  return specs.map(([x, scales]) => ({ op: 'Resize', name: `[${x}] x (${scales})`, inputs: [{ name: 'x', shape: x }], build: (g, [v]) => g.resize(v as Value, scales) }));
}

export function linalgCases(seed: number): GradCase[] {
  const r = new Rng(seed + 1);
  return [...matmulCases(r), ...gemmCases(r), ...convCases(), ...convTransposeCases(), ...resizeCases()];
}
