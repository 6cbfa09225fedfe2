// Shape/dtype inference for reductions, arg/top-k, cumulative sums, softmax and normalisations.
import { formatShape, shapesEqual } from '../../core/shape';
import type { Shape } from '../../core/shape';
import type { InferCtx, InferFn } from './context';

export function reducedShape(shape: Shape, axes: readonly number[], keepdims: boolean): number[] {
  const all = axes.length === 0;
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (all || axes.includes(i)) {
      if (keepdims) out.push(1);
    } else out.push(d);
  });
  return out;
}

export function reduction(floatOnly: boolean): InferFn<'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceMin' | 'ReduceLogSumExp'> {
  return (_inputs, attrs, ctx) => {
    const dtype = floatOnly ? ctx.requireFloat(0) : ctx.requireNumeric(0);
    const x = ctx.input(0).shape;
    const axes = ctx.axes(attrs.axes ?? [], x.length);
    return [{ dtype, shape: reducedShape(x, axes, (attrs.keepdims ?? 1) === 1) }];
  };
}

export const argReduce: InferFn<'ArgMax' | 'ArgMin'> = (_inputs, attrs, ctx) => {
  ctx.requireNumeric(0);
  const x = ctx.input(0).shape;
  const axis = ctx.axis(attrs.axis ?? 0, x.length);
  return [{ dtype: 'int64', shape: reducedShape(x, [axis], (attrs.keepdims ?? 1) === 1) }];
};

export const topK: InferFn<'TopK'> = (_inputs, attrs, ctx) => {
  const dtype = ctx.requireNumeric(0);
  const x = ctx.input(0).shape;
  const axis = ctx.axis(attrs.axis ?? -1, x.length);
  const dim = x[axis] ?? 0;
  if (!Number.isInteger(attrs.k) || attrs.k < 0 || attrs.k > dim) ctx.invalid(`k ${attrs.k} must be an integer in 0..${dim} (axis ${axis})`);
  const shape = x.map((d, i) => (i === axis ? attrs.k : d));
  return [{ dtype, shape }, { dtype: 'int64', shape }];
};

export const cumSum: InferFn<'CumSum'> = (_inputs, attrs, ctx) => {
  const dtype = ctx.requireNumeric(0);
  const x = ctx.input(0).shape;
  ctx.axis(attrs.axis, x.length);
  return [{ dtype, shape: x }];
};

export const softmax: InferFn<'Softmax' | 'LogSoftmax'> = (_inputs, attrs, ctx) => {
  const dtype = ctx.requireFloat(0);
  const x = ctx.input(0).shape;
  ctx.axis(attrs.axis ?? -1, x.length);
  return [{ dtype, shape: x }];
};

function requireParam(ctx: InferCtx, i: number, want: Shape, what: string): void {
  const t = ctx.inputs[i];
  if (t && !shapesEqual(t.shape, want)) ctx.shape(`${what} must be ${formatShape(want)}, got ${formatShape(t.shape)}`);
}

export const layerNorm: InferFn<'LayerNormalization'> = (inputs, attrs, ctx) => {
  const dtype = ctx.sameDType(inputs.map((_, i) => i));
  ctx.requireFloat(0);
  const x = ctx.input(0).shape;
  const axis = ctx.axis(attrs.axis ?? -1, x.length);
  requireParam(ctx, 1, x.slice(axis), 'scale');
  requireParam(ctx, 2, x.slice(axis), 'bias');
  return [{ dtype, shape: x }];
};

export const instanceNorm: InferFn<'InstanceNormalization'> = (inputs, _attrs, ctx) => {
  const dtype = ctx.sameDType(inputs.map((_, i) => i));
  ctx.requireFloat(0);
  const x = ctx.input(0).shape;
  if (x.length < 3) ctx.shape(`X must be [N, C, spatial...], got ${formatShape(x)}`);
  requireParam(ctx, 1, [x[1] ?? 0], 'scale');
  requireParam(ctx, 2, [x[1] ?? 0], 'bias');
  return [{ dtype, shape: x }];
};
