// Gradient rules for data movement: reshapes and transposes invert, slices and gathers scatter
// back (sums where indices repeat), concat/split swap roles, tile and expand sum copies.
import type { Value } from '../ir/graph';
import type { AttrsOf } from '../ir/ops';
import { normAxis, range, rankOf, shapeOf, type GradOps } from './grad-ops';
import { neverDiff, type RuleTable } from './types';

const numelOf = (dims: readonly number[]): number => dims.reduce((p, d) => p * d, 1);

/** Places the elements a positive-step slice took along `axis` back at first, first+step, ... of n. */
function unsliceAxis(o: GradOps, g: Value, axis: number, n: number, first: number, step: number): Value {
  const m = shapeOf(g)[axis] ?? 0;
  let out = g;
  if (step > 1) {
    const spread = o.pad(o.unsqueeze(out, [axis + 1]), padsAt(rankOf(out) + 1, axis + 1, 0, step - 1));
    out = o.reshape(spread, shapeOf(out).map((d, i) => (i === axis ? d * step : d)));
  }
  const len = m * step;
  const tail = n - first - len;
  if (tail < 0) out = o.slice(out, [0], [len + tail], [axis]);
  return o.pad(out, padsAt(rankOf(out), axis, first, Math.max(0, tail)));
}

function padsAt(rank: number, axis: number, begin: number, end: number): number[] {
  const pads = new Array<number>(2 * rank).fill(0);
  pads[axis] = begin;
  pads[axis + rank] = end;
  return pads;
}

/** d slice: scatter g back into zeros of x's shape, axis by axis (negative steps reversed first). */
function sliceGrad(o: GradOps, g: Value, xShape: readonly number[], attrs: AttrsOf<'Slice'>): Value {
  const rank = xShape.length;
  let out = g;
  for (let i = 0; i < attrs.starts.length; i++) {
    const axis = normAxis(attrs.axes?.[i] ?? i, rank);
    const n = xShape[axis] ?? 0;
    const step = attrs.steps?.[i] ?? 1;
    const m = shapeOf(out)[axis] ?? 0;
    if (m === 0) return o.zeros(xShape, g.type.dtype);
    const raw = attrs.starts[i] ?? 0;
    const start = Math.min(Math.max(raw < 0 ? raw + n : raw, 0), step > 0 ? n : n - 1);
    if (step < 0) out = o.slice(out, [-1], [-(m + 1)], [axis], [-1]);
    out = unsliceAxis(o, out, axis, n, step > 0 ? start : start + (m - 1) * step, Math.abs(step));
  }
  return out;
}

/** d gather along axis: scatter-add g into zeros of the data's shape at the gathered indices. */
function gatherGrad(o: GradOps, g: Value, data: Value, indices: Value, axisAttr: number): Value {
  const dims = shapeOf(data);
  const axis = normAxis(axisAttr, dims.length);
  const pre = numelOf(dims.slice(0, axis));
  const post = numelOf(dims.slice(axis + 1));
  const k = numelOf(shapeOf(indices));
  const idx = o.expand(o.reshape(indices, [1, k, 1]), [pre, k, post]);
  const summed = o.op('ScatterElements', [o.zeros([pre, dims[axis] ?? 0, post], g.type.dtype), idx, o.reshape(g, [pre, k, post])], { axis: 1, reduction: 'add' });
  return o.reshape(summed, dims);
}

/** d tile: g viewed as [r0, d0, r1, d1, ...] summed over the repeat axes. */
function tileGrad(o: GradOps, g: Value, xShape: readonly number[], repeats: readonly number[]): Value {
  const split = xShape.flatMap((d, i) => [repeats[i] ?? 1, d]);
  return o.reshape(o.reduceSum(o.reshape(g, split), xShape.map((_, i) => 2 * i), 0), xShape);
}

export const movementRules = {
  // d reshape = g reshaped back
  Reshape: (c, o) => [() => o.reshape(c.g(), shapeOf(c.x(0)))],
  // d transpose(perm) = transpose(g, inverse perm)
  Transpose: (c, o) => [() => {
    const r = rankOf(c.x(0));
    const perm = c.attrs.perm ?? range(0, r).reverse();
    const inverse = new Array<number>(r).fill(0);
    perm.forEach((p, i) => { inverse[p] = i; });
    return o.transpose(c.g(), inverse);
  }],
  // d concat = the slice of g each input filled
  Concat: (c, o) => c.node.inputs.map((x, i) => () => {
    const axis = normAxis(c.attrs.axis, rankOf(x));
    const begin = c.node.inputs.slice(0, i).reduce((p, v) => p + (shapeOf(v)[axis] ?? 0), 0);
    return o.slice(c.g(), [begin], [begin + (shapeOf(x)[axis] ?? 0)], [axis]);
  }),
  // d split = concat of the output gradients (zeros where none flows)
  Split: (c, o) => [() => o.concat(c.node.outputs.map((_, j) => c.g(j)), normAxis(c.attrs.axis ?? 0, rankOf(c.x(0))))],
  // d slice = g scattered back into zeros
  Slice: (c, o) => [() => sliceGrad(o, c.g(), shapeOf(c.x(0)), c.attrs)],
  // d gather = scatter-add of g at the indices
  Gather: (c, o) => [() => gatherGrad(o, c.g(), c.x(0), c.x(1), c.attrs.axis ?? 0), undefined],
  // d gather-elements = scatter-add of g at the indices
  GatherElements: (c, o) => [() => o.op('ScatterElements', [o.zerosLike(c.x(0)), c.x(1), c.g()], { axis: c.attrs.axis ?? 0, reduction: 'add' }), undefined],
  // scatter (none): d data = g with scattered cells zeroed; scatter (add): d data = g; d updates = g gathered
  ScatterElements: (c, o) => {
    const axis = c.attrs.axis ?? 0;
    const mode = c.attrs.reduction ?? 'none';
    if (mode === 'mul') c.refuse('reduction mul has no gradient rule');
    return [
      () => (mode === 'add' ? c.g() : o.op('ScatterElements', [c.g(), c.x(1), o.zerosLike(c.x(2))], { axis })),
      undefined,
      () => o.op('GatherElements', [c.g(), c.x(1)], { axis }),
    ];
  },
  // d data as ScatterElements; d updates would need GatherND, which the IR lacks
  ScatterND: (c, o) => {
    const mode = c.attrs.reduction ?? 'none';
    if (mode === 'mul') c.refuse('reduction mul has no gradient rule');
    return [
      () => (mode === 'add' ? c.g() : o.op('ScatterND', [c.g(), c.x(1), o.zerosLike(c.x(2))], {})),
      undefined,
      () => c.refuse('the gradient of ScatterND updates needs GatherND, which the IR does not have; use ScatterElements'),
    ];
  },
  // d expand = g (the walker sums the broadcast axes)
  Expand: (c) => [() => c.g()],
  // d (un)squeeze = g reshaped back
  Unsqueeze: (c, o) => [() => o.reshape(c.g(), shapeOf(c.x(0)))],
  Squeeze: (c, o) => [() => o.reshape(c.g(), shapeOf(c.x(0)))],
  // d tile = sum of the copies
  Tile: (c, o) => [() => tileGrad(o, c.g(), shapeOf(c.x(0)), c.attrs.repeats)],
  // d pad (constant) = g with the padding cut off (negative pads, a crop, are padded back)
  Pad: (c, o) => [() => {
    if ((c.attrs.mode ?? 'constant') !== 'constant') c.refuse(`pad mode '${c.attrs.mode}' has no gradient rule; use constant padding`);
    return o.op('Pad', [c.g()], { pads: c.attrs.pads.map((p) => -p), mode: 'constant', value: 0 });
  }],
  Constant: neverDiff('a constant has no inputs'),
} satisfies Partial<RuleTable>;
