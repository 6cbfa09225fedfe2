// Shape/dtype inference for MatMul, Gemm, Conv, ConvTranspose and nearest Resize.
import { formatShape } from '../../core/shape';
import type { InferCtx, InferFn } from './context';

export const matmul: InferFn<'MatMul'> = (_inputs, _attrs, ctx) => {
  const dtype = ctx.sameDType([0, 1]);
  ctx.requireNumeric(0);
  const a = ctx.input(0).shape;
  const b = ctx.input(1).shape;
  if (a.length === 0 || b.length === 0) ctx.shape('MatMul needs inputs of rank 1 or more');
  const a2 = a.length === 1 ? [1, a[0] ?? 0] : a;
  const b2 = b.length === 1 ? [b[0] ?? 0, 1] : b;
  const k1 = a2[a2.length - 1];
  const k2 = b2[b2.length - 2];
  if (k1 !== k2) ctx.shape(`inner dimensions differ: ${formatShape(a)} x ${formatShape(b)} (${k1} vs ${k2})`);
  const batch = ctx.broadcast([a2.slice(0, -2), b2.slice(0, -2)]);
  const shape = [...batch];
  if (a.length > 1) shape.push(a2[a2.length - 2] ?? 0);
  if (b.length > 1) shape.push(b2[b2.length - 1] ?? 0);
  return [{ dtype, shape }];
};

export const gemm: InferFn<'Gemm'> = (inputs, attrs, ctx) => {
  const dtype = ctx.sameDType(inputs.map((_, i) => i));
  ctx.requireFloat(0);
  const a = ctx.requireRank(0, 2);
  const b = ctx.requireRank(1, 2);
  const [m, ka] = attrs.transA ? [a[1] ?? 0, a[0] ?? 0] : [a[0] ?? 0, a[1] ?? 0];
  const [kb, n] = attrs.transB ? [b[1] ?? 0, b[0] ?? 0] : [b[0] ?? 0, b[1] ?? 0];
  if (ka !== kb) ctx.shape(`inner dimensions differ after transA/transB: ${ka} vs ${kb}`);
  const c = inputs[2];
  if (c) {
    const out = ctx.broadcast([c.shape, [m, n]]);
    if (out[0] !== m || out[1] !== n) ctx.shape(`C ${formatShape(c.shape)} must broadcast to [${m},${n}]`);
  }
  return [{ dtype, shape: [m, n] }];
};

interface ConvGeometry {
  spatial: number;
  strides: number[];
  pads: number[];
  dilations: number[];
  kernel: number[];
  group: number;
}

function convGeometry(ctx: InferCtx, attrs: InferFnAttrs): ConvGeometry {
  const x = ctx.input(0).shape;
  const w = ctx.input(1).shape;
  if (x.length < 3) ctx.shape(`X must be [N, C, spatial...], got ${formatShape(x)}`);
  if (w.length !== x.length) ctx.shape(`W ${formatShape(w)} must have the rank of X ${formatShape(x)}`);
  const spatial = x.length - 2;
  const kernel = w.slice(2);
  if (attrs.kernel_shape && attrs.kernel_shape.join() !== kernel.join()) {
    ctx.shape(`kernel_shape ${formatShape(attrs.kernel_shape)} does not match W ${formatShape(w)}`);
  }
  const geo: ConvGeometry = {
    spatial,
    strides: [...(attrs.strides ?? new Array<number>(spatial).fill(1))],
    pads: [...(attrs.pads ?? new Array<number>(2 * spatial).fill(0))],
    dilations: [...(attrs.dilations ?? new Array<number>(spatial).fill(1))],
    kernel,
    group: attrs.group ?? 1,
  };
  if (geo.strides.length !== spatial || geo.dilations.length !== spatial || geo.pads.length !== 2 * spatial) {
    ctx.invalid(`strides/dilations need ${spatial} entries and pads ${2 * spatial}`, { strides: geo.strides, pads: geo.pads, dilations: geo.dilations });
  }
  ctx.ints(geo.strides, 'strides', true);
  ctx.ints(geo.dilations, 'dilations', true);
  ctx.ints(geo.pads, 'pads');
  ctx.ints([geo.group], 'group', true);
  return geo;
}

type InferFnAttrs = { strides?: readonly number[]; pads?: readonly number[]; dilations?: readonly number[]; group?: number; kernel_shape?: readonly number[] };

function checkBias(ctx: InferCtx, channels: number): void {
  const bias = ctx.inputs[2];
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== channels)) {
    ctx.shape(`bias must be [${channels}], got ${formatShape(bias.shape)}`);
  }
}

export const conv: InferFn<'Conv'> = (inputs, attrs, ctx) => {
  const dtype = ctx.sameDType(inputs.map((_, i) => i));
  ctx.requireFloat(0);
  const geo = convGeometry(ctx, attrs);
  const x = ctx.input(0).shape;
  const w = ctx.input(1).shape;
  const m = w[0] ?? 0;
  if ((x[1] ?? 0) !== (w[1] ?? 0) * geo.group) ctx.shape(`X has ${x[1]} channels but W expects ${w[1]} x group ${geo.group}`);
  if (m % geo.group !== 0) ctx.shape(`output channels ${m} are not divisible by group ${geo.group}`);
  checkBias(ctx, m);
  const out = [x[0] ?? 0, m];
  for (let i = 0; i < geo.spatial; i++) {
    const span = (geo.dilations[i] ?? 1) * ((geo.kernel[i] ?? 1) - 1) + 1;
    const padded = (x[i + 2] ?? 0) + (geo.pads[i] ?? 0) + (geo.pads[i + geo.spatial] ?? 0);
    if (padded < span) ctx.shape(`spatial axis ${i}: padded size ${padded} is smaller than the kernel span ${span}`);
    out.push(Math.floor((padded - span) / (geo.strides[i] ?? 1)) + 1);
  }
  return [{ dtype, shape: out }];
};

export const convTranspose: InferFn<'ConvTranspose'> = (inputs, attrs, ctx) => {
  const dtype = ctx.sameDType(inputs.map((_, i) => i));
  ctx.requireFloat(0);
  const geo = convGeometry(ctx, attrs);
  const x = ctx.input(0).shape;
  const w = ctx.input(1).shape;
  if ((x[1] ?? 0) !== (w[0] ?? 0)) ctx.shape(`X has ${x[1]} channels but W ${formatShape(w)} expects ${w[0]}`);
  const m = (w[1] ?? 0) * geo.group;
  checkBias(ctx, m);
  const outPad = attrs.output_padding ?? new Array<number>(geo.spatial).fill(0);
  const out = [x[0] ?? 0, m];
  for (let i = 0; i < geo.spatial; i++) {
    const stride = geo.strides[i] ?? 1;
    if ((outPad[i] ?? 0) >= stride && (outPad[i] ?? 0) >= (geo.dilations[i] ?? 1)) ctx.invalid(`output_padding ${outPad[i]} must be smaller than stride or dilation`);
    const size = stride * ((x[i + 2] ?? 0) - 1) + (outPad[i] ?? 0) + ((geo.kernel[i] ?? 1) - 1) * (geo.dilations[i] ?? 1) + 1 - (geo.pads[i] ?? 0) - (geo.pads[i + geo.spatial] ?? 0);
    if (size <= 0) ctx.shape(`spatial axis ${i} would have size ${size}`);
    out.push(size);
  }
  return [{ dtype, shape: out }];
};

export const resize: InferFn<'Resize'> = (_inputs, attrs, ctx) => {
  const x = ctx.input(0);
  if (attrs.scales.length !== x.shape.length) ctx.invalid(`scales needs one entry per axis (${x.shape.length}), got ${JSON.stringify(attrs.scales)}`);
  if (attrs.scales.some((s) => !(s > 0))) ctx.invalid(`scales must be positive, got ${JSON.stringify(attrs.scales)}`);
  return [{ dtype: x.dtype, shape: x.shape.map((d, i) => Math.floor(d * (attrs.scales[i] ?? 1))) }];
};
