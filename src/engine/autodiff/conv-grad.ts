// Convolution gradients in any spatial rank: the input gradient of Conv is a ConvTranspose with the
// same weight (and of ConvTranspose a Conv), and the weight gradient is the correlation of the
// input with the output gradient, computed on the unfolded input by one batched MatMul.
import type { Value } from '../ir/graph';
import type { AttrsOf } from '../ir/ops';
import { range, shapeOf, type GradOps } from './grad-ops';

export interface ConvGeometry {
  readonly strides: number[];
  readonly pads: number[];
  readonly dilations: number[];
  readonly group: number;
  readonly kernel: number[];
}

export function convGeometry(attrs: AttrsOf<'Conv'>, weight: Value): ConvGeometry {
  const kernel = shapeOf(weight).slice(2);
  const n = kernel.length;
  return {
    strides: [...(attrs.strides ?? new Array<number>(n).fill(1))],
    pads: [...(attrs.pads ?? new Array<number>(2 * n).fill(0))],
    dilations: [...(attrs.dilations ?? new Array<number>(n).fill(1))],
    group: attrs.group ?? 1,
    kernel,
  };
}

/** d Conv(x,w)/dx: ConvTranspose(g, w), output padding chosen so the result has x's spatial size. */
export function convInputGrad(o: GradOps, g: Value, w: Value, geo: ConvGeometry, xShape: readonly number[]): Value {
  const n = geo.kernel.length;
  const outputPadding = range(0, n).map((i) => {
    const natural = ((shapeOf(g)[i + 2] ?? 1) - 1) * (geo.strides[i] ?? 1) - (geo.pads[i] ?? 0) - (geo.pads[i + n] ?? 0) + (geo.dilations[i] ?? 1) * ((geo.kernel[i] ?? 1) - 1) + 1;
    return (xShape[i + 2] ?? 0) - natural;
  });
  return o.op('ConvTranspose', [g, w], { ...convAttrs(geo), output_padding: outputPadding });
}

/**
 * d Conv(x,w)/dw[co,ci,k] = sum_{n,o} g[n,co,o] * xpad[n, ci, o*stride + k*dilation]: the input
 * unfolded into one strided slice per kernel offset, [N, G, C_in/G * K, P], contracted with g
 * [N, G, C_out/G, P] over the output positions P by one batched MatMul, then summed over N.
 */
export function convWeightGrad(o: GradOps, x: Value, g: Value, geo: ConvGeometry): Value {
  const [batch = 1, cIn = 1] = shapeOf(x);
  const [, cOut = 1, ...outSpatial] = shapeOf(g);
  const G = geo.group;
  const n = geo.kernel.length;
  const positions = outSpatial.reduce((p, d) => p * d, 1);
  const offsets = kernelOffsets(geo.kernel);
  const xpad = o.pad(x, [0, 0, ...geo.pads.slice(0, n), 0, 0, ...geo.pads.slice(n)]);
  const taps = offsets.map((k) => {
    const starts = k.map((ki, a) => ki * (geo.dilations[a] ?? 1));
    const ends = starts.map((st, a) => st + (geo.strides[a] ?? 1) * ((outSpatial[a] ?? 1) - 1) + 1);
    const tap = o.slice(xpad, starts, ends, range(2, n + 2), geo.strides);
    return o.unsqueeze(tap, [2]);
  });
  const patches = o.reshape(o.concat(taps, 2), [batch, G, (cIn / G) * offsets.length, positions]);
  const gg = o.reshape(g, [batch, G, cOut / G, positions]);
  const perSample = o.matmul(gg, o.mT(patches));
  return o.reshape(o.reduceSum(perSample, [0], 0), [cOut, cIn / G, ...geo.kernel]);
}

/** Every kernel offset, row-major (the layout of a weight's spatial axes). */
function kernelOffsets(kernel: readonly number[]): number[][] {
  return kernel.reduce<number[][]>((acc, k) => acc.flatMap((prefix) => range(0, k).map((i) => [...prefix, i])), [[]]);
}

/** d(bias) = g summed over every axis but channels. */
export function biasGrad(o: GradOps, g: Value): Value {
  const r = shapeOf(g).length;
  return o.reduceSum(g, [0, ...range(2, r)], 0);
}

export function convAttrs(geo: ConvGeometry): AttrsOf<'Conv'> {
  return { strides: geo.strides, pads: geo.pads, dilations: geo.dilations, group: geo.group };
}
