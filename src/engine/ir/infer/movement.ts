// Shape/dtype inference for data-movement ops: reshape, transpose, concat, split, slice, gathers and
// scatters, expand, (un)squeeze, tile, pad and constants.
import { numel, formatShape } from '../../core/shape';
import { arrayMatchesDType } from '../../core/dtype';
import type { InferCtx, InferFn } from './context';

/** Resolves a single -1 in a reshape target against `count` elements; undefined if impossible. */
export function resolveReshape(count: number, target: readonly number[]): number[] | undefined {
  const unknown = target.filter((d) => d === -1).length;
  if (unknown > 1 || target.some((d) => !Number.isInteger(d) || d < -1)) return undefined;
  const known = target.reduce((p, d) => (d === -1 ? p : p * d), 1);
  if (unknown === 0) return known === count ? [...target] : undefined;
  if (known === 0 || count % known !== 0) return undefined;
  return target.map((d) => (d === -1 ? count / known : d));
}

export const reshape: InferFn<'Reshape'> = (_inputs, attrs, ctx) => {
  const x = ctx.input(0);
  const shape = resolveReshape(numel(x.shape), attrs.shape);
  return [{ dtype: x.dtype, shape: shape ?? ctx.shape(`cannot reshape ${formatShape(x.shape)} (${numel(x.shape)} elements) to ${formatShape(attrs.shape)}`) }];
};

export const transpose: InferFn<'Transpose'> = (_inputs, attrs, ctx) => {
  const x = ctx.input(0);
  const rank = x.shape.length;
  const perm = attrs.perm ?? x.shape.map((_, i) => rank - 1 - i);
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== rank || sorted.some((p, i) => p !== i)) ctx.invalid(`perm ${JSON.stringify(perm)} is not a permutation of 0..${rank - 1}`);
  return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p] ?? 0) }];
};

export const concat: InferFn<'Concat'> = (inputs, attrs, ctx) => {
  const dtype = ctx.sameDType(inputs.map((_, i) => i));
  const first = ctx.input(0).shape;
  const axis = ctx.axis(attrs.axis, first.length);
  let total = 0;
  inputs.forEach((t, i) => {
    const ok = t.shape.length === first.length && t.shape.every((d, j) => j === axis || d === first[j]);
    if (!ok) ctx.shape(`input ${i} ${formatShape(t.shape)} must match ${formatShape(first)} on every axis but ${axis}`);
    total += t.shape[axis] ?? 0;
  });
  return [{ dtype, shape: first.map((d, j) => (j === axis ? total : d)) }];
};

export const split: InferFn<'Split'> = (_inputs, attrs, ctx) => {
  const x = ctx.input(0);
  const axis = ctx.axis(attrs.axis ?? 0, x.shape.length);
  ctx.ints(attrs.split, 'split');
  const sum = attrs.split.reduce((a, b) => a + b, 0);
  if (attrs.split.length === 0 || sum !== x.shape[axis]) ctx.shape(`split ${JSON.stringify(attrs.split)} must sum to ${x.shape[axis]} (axis ${axis})`);
  return attrs.split.map((n) => ({ dtype: x.dtype, shape: x.shape.map((d, j) => (j === axis ? n : d)) }));
};

function sliceLength(dim: number, start: number, end: number, step: number): number {
  const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
  const s0 = start < 0 ? start + dim : start;
  const e0 = end < 0 ? end + dim : end;
  const s = step > 0 ? clamp(s0, 0, dim) : clamp(s0, 0, dim - 1);
  const e = step > 0 ? clamp(e0, 0, dim) : clamp(e0, -1, dim - 1);
  return Math.max(0, Math.ceil((e - s) / step));
}

export const slice: InferFn<'Slice'> = (_inputs, attrs, ctx) => {
  const x = ctx.input(0);
  const rank = x.shape.length;
  const n = attrs.starts.length;
  const axes = ctx.axes(attrs.axes ?? attrs.starts.map((_, i) => i), rank);
  const steps = attrs.steps ?? new Array<number>(n).fill(1);
  if (attrs.ends.length !== n || axes.length !== n || steps.length !== n) ctx.invalid('starts, ends, axes and steps need the same length');
  if (steps.some((s) => s === 0 || !Number.isInteger(s))) ctx.invalid(`steps must be non-zero integers, got ${JSON.stringify(steps)}`);
  const shape = [...x.shape];
  axes.forEach((a, i) => {
    shape[a] = sliceLength(x.shape[a] ?? 0, attrs.starts[i] ?? 0, attrs.ends[i] ?? 0, steps[i] ?? 1);
  });
  return [{ dtype: x.dtype, shape }];
};

function requireIndices(ctx: InferCtx, i: number): readonly number[] {
  ctx.requireDType(i, ['int64', 'int32']);
  return ctx.input(i).shape;
}

export const gather: InferFn<'Gather'> = (_inputs, attrs, ctx) => {
  const x = ctx.input(0);
  const idx = requireIndices(ctx, 1);
  const axis = ctx.axis(attrs.axis ?? 0, x.shape.length);
  return [{ dtype: x.dtype, shape: [...x.shape.slice(0, axis), ...idx, ...x.shape.slice(axis + 1)] }];
};

export const gatherElements: InferFn<'GatherElements'> = (_inputs, attrs, ctx) => {
  const x = ctx.input(0);
  const idx = requireIndices(ctx, 1);
  ctx.axis(attrs.axis ?? 0, x.shape.length);
  if (idx.length !== x.shape.length) ctx.shape(`indices ${formatShape(idx)} must have the rank of data ${formatShape(x.shape)}`);
  return [{ dtype: x.dtype, shape: idx }];
};

export const scatterElements: InferFn<'ScatterElements'> = (_inputs, attrs, ctx) => {
  const x = ctx.input(0);
  const idx = requireIndices(ctx, 1);
  ctx.sameDType([0, 2]);
  ctx.axis(attrs.axis ?? 0, x.shape.length);
  if (idx.length !== x.shape.length || formatShape(idx) !== formatShape(ctx.input(2).shape)) {
    ctx.shape(`indices ${formatShape(idx)} and updates ${formatShape(ctx.input(2).shape)} must have one shape and the rank of data`);
  }
  return [{ dtype: x.dtype, shape: x.shape }];
};

export const scatterND: InferFn<'ScatterND'> = (_inputs, _attrs, ctx) => {
  const x = ctx.input(0);
  const idx = requireIndices(ctx, 1);
  ctx.sameDType([0, 2]);
  const k = idx[idx.length - 1] ?? 0;
  if (idx.length < 1 || k > x.shape.length) ctx.shape(`indices ${formatShape(idx)} last axis must be at most the data rank ${x.shape.length}`);
  const want = [...idx.slice(0, -1), ...x.shape.slice(k)];
  if (formatShape(want) !== formatShape(ctx.input(2).shape)) ctx.shape(`updates must be ${formatShape(want)}, got ${formatShape(ctx.input(2).shape)}`);
  return [{ dtype: x.dtype, shape: x.shape }];
};

export const expand: InferFn<'Expand'> = (_inputs, attrs, ctx) => {
  const x = ctx.input(0);
  return [{ dtype: x.dtype, shape: ctx.broadcast([x.shape, attrs.shape]) }];
};

export const unsqueeze: InferFn<'Unsqueeze'> = (_inputs, attrs, ctx) => {
  const x = ctx.input(0);
  const rank = x.shape.length + attrs.axes.length;
  const axes = ctx.axes(attrs.axes, rank);
  const rest = [...x.shape];
  const shape = Array.from({ length: rank }, (_, i) => (axes.includes(i) ? 1 : (rest.shift() ?? 0)));
  return [{ dtype: x.dtype, shape }];
};

export const squeeze: InferFn<'Squeeze'> = (_inputs, attrs, ctx) => {
  const x = ctx.input(0);
  const axes = attrs.axes ? ctx.axes(attrs.axes, x.shape.length) : x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  for (const a of axes) if (x.shape[a] !== 1) ctx.shape(`axis ${a} has size ${x.shape[a]}, only size-1 axes can be squeezed`);
  return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !axes.includes(i)) }];
};

export const tile: InferFn<'Tile'> = (_inputs, attrs, ctx) => {
  const x = ctx.input(0);
  if (attrs.repeats.length !== x.shape.length) ctx.invalid(`repeats needs ${x.shape.length} entries, got ${JSON.stringify(attrs.repeats)}`);
  ctx.ints(attrs.repeats, 'repeats');
  return [{ dtype: x.dtype, shape: x.shape.map((d, i) => d * (attrs.repeats[i] ?? 1)) }];
};

export const pad: InferFn<'Pad'> = (_inputs, attrs, ctx) => {
  const x = ctx.input(0);
  const rank = x.shape.length;
  if (attrs.pads.length !== 2 * rank || attrs.pads.some((p) => !Number.isInteger(p))) ctx.invalid(`pads needs ${2 * rank} integers, got ${JSON.stringify(attrs.pads)}`);
  const shape = x.shape.map((d, i) => d + (attrs.pads[i] ?? 0) + (attrs.pads[i + rank] ?? 0));
  if (shape.some((d) => d < 0)) ctx.shape(`negative pads ${JSON.stringify(attrs.pads)} remove more than ${formatShape(x.shape)} holds`);
  return [{ dtype: x.dtype, shape }];
};

export const constant: InferFn<'Constant'> = (_inputs, attrs, ctx) => {
  const { dtype, shape, data } = attrs.value;
  if (!arrayMatchesDType(data, dtype) || data.length !== numel(shape)) {
    ctx.invalid(`value holds ${data.length} elements of ${data.constructor.name} but is declared ${dtype}${formatShape(shape)}`);
  }
  return [{ dtype, shape: [...shape] }];
};
