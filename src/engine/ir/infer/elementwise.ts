// Shape/dtype inference for elementwise ops: numpy broadcasting for binary ops, bool results for
// comparisons, float-only checks for transcendental functions.
import type { DType } from '../../core/dtype';
import type { TensorType } from '../graph';
import type { InferCtx, InferFn } from './context';

type Any = InferFn<'Add'>;

/** Numeric binary op: same dtype, broadcast shapes. */
export const arithmetic: Any = (inputs, _attrs, ctx) => {
  const dtype = ctx.sameDType([0, 1]);
  ctx.requireNumeric(0);
  return [{ dtype, shape: ctx.broadcast([ctx.input(0).shape, ctx.input(1).shape]) }];
};

/** Float binary op (Pow). */
export const floatBinary: Any = (inputs, attrs, ctx) => {
  ctx.requireFloat(0);
  return arithmetic(inputs, attrs, ctx);
};

/** Comparison: same dtype, bool result. Equal also takes bool. */
export function comparison(allowBool: boolean): Any {
  return (_inputs, _attrs, ctx) => {
    ctx.sameDType([0, 1]);
    if (!allowBool) ctx.requireNumeric(0);
    return [{ dtype: 'bool', shape: ctx.broadcast([ctx.input(0).shape, ctx.input(1).shape]) }];
  };
}

export const logical: Any = (inputs, _attrs, ctx) => {
  for (let i = 0; i < inputs.length; i++) ctx.requireDType(i, ['bool']);
  return [{ dtype: 'bool', shape: ctx.broadcast(inputs.map((t) => t.shape)) }];
};

export const where: Any = (_inputs, _attrs, ctx) => {
  ctx.requireDType(0, ['bool']);
  const dtype = ctx.sameDType([1, 2]);
  return [{ dtype, shape: ctx.broadcast([ctx.input(0).shape, ctx.input(1).shape, ctx.input(2).shape]) }];
};

function unaryWith(check: (ctx: InferCtx) => DType): Any {
  return (_inputs, _attrs, ctx): TensorType[] => [{ dtype: check(ctx), shape: ctx.input(0).shape }];
}

export const floatUnary = unaryWith((ctx) => ctx.requireFloat(0));
export const numericUnary = unaryWith((ctx) => ctx.requireNumeric(0));
export const anyUnary = unaryWith((ctx) => ctx.input(0).dtype);

export const clip: InferFn<'Clip'> = (_inputs, attrs, ctx) => {
  const dtype = ctx.requireNumeric(0);
  if (attrs.min !== undefined && attrs.max !== undefined && attrs.min > attrs.max) {
    ctx.invalid(`min ${attrs.min} is greater than max ${attrs.max}`);
  }
  return [{ dtype, shape: ctx.input(0).shape }];
};

export const cast: InferFn<'Cast'> = (_inputs, attrs, ctx) => [{ dtype: attrs.to, shape: ctx.input(0).shape }];
