// Convolution gradients in any spatial rank: the input gradient of Conv is a ConvTranspose with the
// same weight (and of ConvTranspose a Conv), and the weight gradient is the correlation of the
// input with the output gradient, computed as one grouped Conv with batch and channels swapped.
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
 * d Conv(x,w)/dw[co,ci,k] = sum_{n,o} g[n,co,o] * xpad[n, ci, o*stride + k*dilation]: a Conv of
 * x (channels-as-batch) with g (batch-as-channels), stride and dilation swapped, sliced to k.
 */
export function convWeightGrad(o: GradOps, x: Value, g: Value, geo: ConvGeometry): Value {
  const [batch = 1, cIn = 1, ...xs] = shapeOf(x);
  const [, cOut = 1, ...gs] = shapeOf(g);
  const G = geo.group;
  const n = geo.kernel.length;
  const sp = range(0, n).map((i) => i + 3);
  // x [N, C_in, S] -> [C_in/G, G*N, S]; g [N, C_out, S'] -> [G*C_out/G, N, S']
  const xg = o.reshape(o.transpose(o.reshape(x, [batch, G, cIn / G, ...xs]), [2, 1, 0, ...sp]), [cIn / G, G * batch, ...xs]);
  const gg = o.reshape(o.transpose(o.reshape(g, [batch, G, cOut / G, ...gs]), [1, 2, 0, ...sp]), [cOut, batch, ...gs]);
  const corr = o.op('Conv', [xg, gg], { strides: geo.dilations, dilations: geo.strides, pads: geo.pads, group: G });
  const full = o.transpose(corr, [1, 0, ...range(2, n + 2)]);
  const extra = shapeOf(full).slice(2).some((d, i) => d !== geo.kernel[i]);
  return extra ? o.slice(full, new Array<number>(n).fill(0), geo.kernel, range(2, n + 2)) : full;
}

/** d(bias) = g summed over every axis but channels. */
export function biasGrad(o: GradOps, g: Value): Value {
  const r = shapeOf(g).length;
  return o.reduceSum(g, [0, ...range(2, r)], 0);
}

export function convAttrs(geo: ConvGeometry): AttrsOf<'Conv'> {
  return { strides: geo.strides, pads: geo.pads, dilations: geo.dilations, group: geo.group };
}
