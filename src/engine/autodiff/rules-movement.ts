// Gradient rules for data movement: reshapes and transposes invert, slices and gathers scatter
// back (sums where indices repeat), concat/split swap roles, tile and expand sum copies.
import type { GraphBuilder } from '../ir/builder';
import type { Value } from '../ir/graph';
import type { AttrsOf } from '../ir/ops';
import { normAxis, permute, range, rankOf, reshapeTo, shapeOf, zeros, zerosLike } from './shape-helpers';
import { neverDiff, type RuleTable } from './types';

const numelOf = (dims: readonly number[]): number => dims.reduce((p, d) => p * d, 1);

/** Places the elements a positive-step slice took along `axis` back at first, first+step, ... of n. */
function unsliceAxis(b: GraphBuilder, g: Value, axis: number, n: number, first: number, step: number): Value {
  const m = shapeOf(g)[axis] ?? 0;
  let out = g;
  if (step > 1) {
    const spread = b.pad(b.unsqueeze(out, [axis + 1]), padsAt(rankOf(out) + 1, axis + 1, 0, step - 1));
    out = reshapeTo(b, spread, shapeOf(out).map((d, i) => (i === axis ? d * step : d)));
  }
  const len = m * step;
  const tail = n - first - len;
  if (tail < 0) out = b.slice(out, [0], [len + tail], [axis]);
  const pads = padsAt(rankOf(out), axis, first, Math.max(0, tail));
  return pads.every((p) => p === 0) ? out : b.pad(out, pads);
}

function padsAt(rank: number, axis: number, begin: number, end: number): number[] {
  const pads = new Array<number>(2 * rank).fill(0);
  pads[axis] = begin;
  pads[axis + rank] = end;
  return pads;
}

/** d slice: scatter g back into zeros of x's shape, axis by axis (negative steps reversed first). */
function sliceGrad(b: GraphBuilder, g: Value, xShape: readonly number[], attrs: AttrsOf<'Slice'>): Value {
  const rank = xShape.length;
  let out = g;
  for (let i = 0; i < attrs.starts.length; i++) {
    const axis = normAxis(attrs.axes?.[i] ?? i, rank);
    const n = xShape[axis] ?? 0;
    const step = attrs.steps?.[i] ?? 1;
    const m = shapeOf(out)[axis] ?? 0;
    if (m === 0) return zeros(b, xShape, g.type.dtype);
    const raw = attrs.starts[i] ?? 0;
    const start = Math.min(Math.max(raw < 0 ? raw + n : raw, 0), step > 0 ? n : n - 1);
    if (step < 0) out = b.slice(out, [-1], [-(m + 1)], [axis], [-1]);
    out = unsliceAxis(b, out, axis, n, step > 0 ? start : start + (m - 1) * step, Math.abs(step));
  }
  return out;
}

/** d gather along axis: scatter-add g into zeros of the data's shape at the gathered indices. */
function gatherGrad(b: GraphBuilder, g: Value, data: Value, indices: Value, axisAttr: number): Value {
  const dims = shapeOf(data);
  const axis = normAxis(axisAttr, dims.length);
  const pre = numelOf(dims.slice(0, axis));
  const post = numelOf(dims.slice(axis + 1));
  const k = numelOf(shapeOf(indices));
  const idx = b.expand(reshapeTo(b, indices, [1, k, 1]), [pre, k, post]);
  const summed = b.scatterElements(zeros(b, [pre, dims[axis] ?? 0, post], g.type.dtype), idx, reshapeTo(b, g, [pre, k, post]), 1, 'add');
  return reshapeTo(b, summed, dims);
}

/** d tile: g viewed as [r0, d0, r1, d1, ...] summed over the repeat axes. */
function tileGrad(b: GraphBuilder, g: Value, xShape: readonly number[], repeats: readonly number[]): Value {
  const split = xShape.flatMap((d, i) => [repeats[i] ?? 1, d]);
  return reshapeTo(b, b.reduceSum(reshapeTo(b, g, split), xShape.map((_, i) => 2 * i), false), xShape);
}

export const movementRules = {
  // d reshape = g reshaped back
  Reshape: (c, b) => [() => reshapeTo(b, c.g(), shapeOf(c.x(0)))],
  // d transpose(perm) = transpose(g, inverse perm)
  Transpose: (c, b) => [() => {
    const r = rankOf(c.x(0));
    const perm = c.attrs.perm ?? range(0, r).reverse();
    const inverse = new Array<number>(r).fill(0);
    perm.forEach((p, i) => { inverse[p] = i; });
    return permute(b, c.g(), inverse);
  }],
  // d concat = the slice of g each input filled
  Concat: (c, b) => c.node.inputs.map((x, i) => () => {
    const axis = normAxis(c.attrs.axis, rankOf(x));
    const begin = c.node.inputs.slice(0, i).reduce((p, v) => p + (shapeOf(v)[axis] ?? 0), 0);
    const end = begin + (shapeOf(x)[axis] ?? 0);
    return begin === 0 && end >= (shapeOf(c.g())[axis] ?? 0) ? c.g() : b.slice(c.g(), [begin], [end], [axis]);
  }),
  // d split = concat of the output gradients (zeros where none flows)
  Split: (c, b) => [() => {
    const parts = c.node.outputs.map((_, j) => c.g(j));
    return parts.length === 1 && parts[0] ? parts[0] : b.concat(parts, normAxis(c.attrs.axis ?? 0, rankOf(c.x(0))));
  }],
  // d slice = g scattered back into zeros
  Slice: (c, b) => [() => sliceGrad(b, c.g(), shapeOf(c.x(0)), c.attrs)],
  // d gather = scatter-add of g at the indices
  Gather: (c, b) => [() => gatherGrad(b, c.g(), c.x(0), c.x(1), c.attrs.axis ?? 0), undefined],
  // d gather-elements = scatter-add of g at the indices
  GatherElements: (c, b) => [() => b.scatterElements(zerosLike(b, c.x(0)), c.x(1), c.g(), c.attrs.axis ?? 0, 'add'), undefined],
  // scatter (none): d data = g with scattered cells zeroed; scatter (add): d data = g; d updates = g gathered
  ScatterElements: (c, b) => {
    const axis = c.attrs.axis ?? 0;
    const mode = c.attrs.reduction ?? 'none';
    if (mode === 'mul') c.refuse('reduction mul has no gradient rule');
    return [
      () => (mode === 'add' ? c.g() : b.scatterElements(c.g(), c.x(1), zerosLike(b, c.x(2)), axis)),
      undefined,
      () => b.gatherElements(c.g(), c.x(1), axis),
    ];
  },
  // d data as ScatterElements; d updates would need GatherND, which the IR lacks
  ScatterND: (c, b) => {
    const mode = c.attrs.reduction ?? 'none';
    if (mode === 'mul') c.refuse('reduction mul has no gradient rule');
    return [
      () => (mode === 'add' ? c.g() : b.scatterND(c.g(), c.x(1), zerosLike(b, c.x(2)))),
      undefined,
      () => c.refuse('the gradient of ScatterND updates needs GatherND, which the IR does not have; use ScatterElements'),
    ];
  },
  // d expand = g (the walker sums the broadcast axes)
  Expand: (c) => [() => c.g()],
  // d (un)squeeze = g reshaped back
  Unsqueeze: (c, b) => [() => reshapeTo(b, c.g(), shapeOf(c.x(0)))],
  Squeeze: (c, b) => [() => reshapeTo(b, c.g(), shapeOf(c.x(0)))],
  // d tile = sum of the copies
  Tile: (c, b) => [() => tileGrad(b, c.g(), shapeOf(c.x(0)), c.attrs.repeats)],
  // d pad (constant) = g with the padding cut off (negative pads, a crop, are padded back)
  Pad: (c, b) => [() => {
    if ((c.attrs.mode ?? 'constant') !== 'constant') c.refuse(`pad mode '${c.attrs.mode}' has no gradient rule; use constant padding`);
    return b.pad(c.g(), c.attrs.pads.map((p) => -p));
  }],
  Constant: neverDiff('a constant has no inputs'),
} satisfies Partial<RuleTable>;
