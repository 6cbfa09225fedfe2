// Convolution gradients in any spatial rank: the input gradient of Conv is a Conv with the flipped
// kernel at stride 1 ('flip'), else (or always, with 'transpose') a ConvTranspose with the same
// weight (and of ConvTranspose a Conv), and
// the weight gradient is the correlation of the input with the output gradient: the input unfolded
// by one identity-kernel Conv, then one batched MatMul.
import type { GraphBuilder } from '../ir/builder';
import type { Value } from '../ir/graph';
import type { AttrsOf } from '../ir/ops';
import type { ConvInputGrad } from './types';
import { mT, range, reshapeTo, shapeOf } from './shape-helpers';

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

/**
 * d Conv(x,w)/dx: the adjoint of the correlation. At stride 1 with pads <= d(k-1) it is itself a
 * correlation, Conv(g, w'), w'[ci, co, k] = w[co, ci, K-1-k] (channels swapped within each group,
 * kernel flipped), pads d(k-1) - p, which onnxruntime runs far faster than ConvTranspose (mode
 * 'flip'; a frozen w is then folded into a second, flipped initializer); otherwise, and always in
 * mode 'transpose', ConvTranspose(g, w) over w itself, output padding chosen so the result has x's
 * spatial size.
 */
export function convInputGrad(b: GraphBuilder, g: Value, w: Value, geo: ConvGeometry, xShape: readonly number[], mode: ConvInputGrad = 'flip'): Value {
  const n = geo.kernel.length;
  const reach = geo.kernel.map((k, i) => (geo.dilations[i] ?? 1) * (k - 1));
  const flippedPads = geo.pads.map((p, i) => (reach[i % n] ?? 0) - p);
  if (mode === 'flip' && geo.strides.every((s) => s === 1) && flippedPads.every((p) => p >= 0)) {
    return b.conv(g, flippedKernel(b, w, geo.group), undefined, { strides: geo.strides, pads: flippedPads, dilations: geo.dilations, group: geo.group });
  }
  const outputPadding = range(0, n).map((i) => {
    const natural = ((shapeOf(g)[i + 2] ?? 1) - 1) * (geo.strides[i] ?? 1) - (geo.pads[i] ?? 0) - (geo.pads[i + n] ?? 0) + (reach[i] ?? 0) + 1;
    return (xShape[i + 2] ?? 0) - natural;
  });
  return b.convTranspose(g, w, undefined, { ...convAttrs(geo), output_padding: outputPadding });
}

/** w [C_out, C_in/G, K...] -> [C_in, C_out/G, K...] with every spatial axis reversed. */
function flippedKernel(b: GraphBuilder, w: Value, group: number): Value {
  const [cOut = 1, cInG = 1, ...kernel] = shapeOf(w);
  const spatial = range(3, kernel.length + 3);
  const grouped = reshapeTo(b, w, [group, cOut / group, cInG, ...kernel]);
  const swapped = b.transpose(grouped, [0, 2, 1, ...spatial]);
  const flipped = b.slice(swapped, kernel.map(() => -1), kernel.map((k) => -k - 1), spatial, kernel.map(() => -1));
  return reshapeTo(b, flipped, [group * cInG, cOut / group, ...kernel]);
}

/**
 * d Conv(x,w)/dw[co,ci,k] = sum_{n,o} g[n,co,o] * xpad[n, ci, o*stride + k*dilation]: the input
 * unfolded by one Conv of each channel with the identity kernel (one output per kernel offset k,
 * an exact copy), [N, G, C_in/G * K, P], contracted with g [N, G, C_out/G, P] over the output
 * positions P by one batched MatMul, then summed over N.
 */
export function convWeightGrad(b: GraphBuilder, x: Value, g: Value, geo: ConvGeometry): Value {
  const [batch = 1, cIn = 1, ...spatial] = shapeOf(x);
  const [, cOut = 1, ...outSpatial] = shapeOf(g);
  const G = geo.group;
  const taps = geo.kernel.reduce((p, k) => p * k, 1);
  const positions = outSpatial.reduce((p, d) => p * d, 1);
  const identity = b.constant(x.type.dtype, [taps, 1, ...geo.kernel], range(0, taps * taps).map((i) => (i % (taps + 1) === 0 ? 1 : 0)));
  const unfolded = b.conv(reshapeTo(b, x, [batch * cIn, 1, ...spatial]), identity, undefined, { ...convAttrs(geo), group: 1 });
  const patches = reshapeTo(b, unfolded, [batch, G, (cIn / G) * taps, positions]);
  const gg = reshapeTo(b, g, [batch, G, cOut / G, positions]);
  const perSample = b.matmul(gg, mT(b, patches));
  return reshapeTo(b, b.reduceSum(perSample, [0], false), [cOut, cIn / G, ...geo.kernel]);
}

/** d(bias) = g summed over every axis but channels. */
export function biasGrad(b: GraphBuilder, g: Value): Value {
  const r = shapeOf(g).length;
  return b.reduceSum(g, [0, ...range(2, r)], false);
}

export function convAttrs(geo: ConvGeometry): AttrsOf<'Conv'> {
  return { strides: geo.strides, pads: geo.pads, dilations: geo.dilations, group: geo.group };
}
