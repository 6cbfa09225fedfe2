// Gradient rules for reductions, cumulative sums, softmaxes and normalisations.
import type { GraphBuilder } from '../ir/builder';
import type { Value } from '../ir/graph';
import type { AttrsOf } from '../ir/ops';
import { normAxis, rankOf, range, reshapeTo, shapeOf } from './shape-helpers';
import { noGrad, shared, type GradCtx, type RuleTable } from './types';

type ReduceOp = 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceMin' | 'ReduceLogSumExp';

/** The reduced axes (all when none are given), normalised. */
function reducedAxes(x: Value, attrs: AttrsOf<ReduceOp>): number[] {
  const axes = attrs.axes ?? [];
  return axes.length === 0 ? range(0, rankOf(x)) : axes.map((a) => normAxis(a, rankOf(x)));
}

/** A reduction's output (or its gradient) reshaped to keepdims form, so it broadcasts against x. */
function kept<O extends ReduceOp>(c: GradCtx<O>, b: GraphBuilder, v: Value): Value {
  const axes = reducedAxes(c.x(0), c.attrs);
  return reshapeTo(b, v, shapeOf(c.x(0)).map((d, i) => (axes.includes(i) ? 1 : d)));
}

/** d reduce-max/min: g shared equally by the tied extreme elements (as PyTorch amax/amin). */
function extremeGrad<O extends 'ReduceMax' | 'ReduceMin'>(c: GradCtx<O>, b: GraphBuilder): Value {
  const x = c.x(0);
  const hit = b.cast(b.equal(x, kept(c, b, c.y())), x.type.dtype);
  const count = b.reduceSum(hit, reducedAxes(x, c.attrs));
  return b.mul(hit, b.div(kept(c, b, c.g()), count));
}

/** Normalises over `axes` (keepdims): x-hat and 1/std, as the forward op (epsilon is a float32 attribute). */
function standardise(b: GraphBuilder, x: Value, axes: readonly number[], epsilon: number): { xhat: Value; rstd: Value } {
  const xc = b.sub(x, b.reduceMean(x, axes));
  const rstd = b.reciprocal(b.sqrt(b.add(b.reduceMean(b.mul(xc, xc), axes), Math.fround(epsilon))));
  return { xhat: b.mul(xc, rstd), rstd };
}

/** d x of a normalisation: rstd * (gh - mean(gh) - xhat*mean(gh*xhat)), gh = g*scale. */
function normInputGrad(b: GraphBuilder, gh: Value, xhat: Value, rstd: Value, axes: readonly number[]): Value {
  const centred = b.sub(gh, b.reduceMean(gh, axes));
  return b.mul(rstd, b.sub(centred, b.mul(xhat, b.reduceMean(b.mul(gh, xhat), axes))));
}

const selection = noGrad('it returns indices (TopK values and ArgMax/ArgMin are not differentiated)');

export const reduceRules = {
  // d sum = g broadcast back over the reduced axes
  ReduceSum: (c, b) => [() => b.expand(kept(c, b, c.g()), shapeOf(c.x(0)))],
  // d mean = g / n broadcast back
  ReduceMean: (c, b) => [() => {
    const n = reducedAxes(c.x(0), c.attrs).reduce((p, a) => p * (shapeOf(c.x(0))[a] ?? 1), 1);
    const g = kept(c, b, c.g());
    return b.expand(n === 1 ? g : b.mul(g, 1 / n), shapeOf(c.x(0)));
  }],
  ReduceMax: (c, b) => [() => extremeGrad(c, b)],
  ReduceMin: (c, b) => [() => extremeGrad(c, b)],
  // d logsumexp = g * exp(x - y)
  ReduceLogSumExp: (c, b) => [() => b.mul(kept(c, b, c.g()), b.exp(b.sub(c.x(0), kept(c, b, c.y()))))],
  ArgMax: selection, ArgMin: selection, TopK: selection,
  // d cumsum = cumsum of g in the opposite direction (same exclusivity)
  CumSum: (c, b) => [() => b.cumSum(c.g(), c.attrs.axis, { exclusive: c.attrs.exclusive === 1, reverse: !c.attrs.reverse })],
  // d softmax = y * (g - sum(g*y))
  Softmax: (c, b) => [() => {
    const axis = normAxis(c.attrs.axis ?? -1, rankOf(c.x(0)));
    return b.mul(c.y(), b.sub(c.g(), b.reduceSum(b.mul(c.g(), c.y()), [axis])));
  }],
  // d logsoftmax = g - exp(y) * sum(g)
  LogSoftmax: (c, b) => [() => {
    const axis = normAxis(c.attrs.axis ?? -1, rankOf(c.x(0)));
    return b.sub(c.g(), b.mul(b.exp(c.y()), b.reduceSum(c.g(), [axis])));
  }],
  // y = xhat*scale + bias over axes [axis..]: dx = norm grad of g*scale, dscale = g*xhat, dbias = g
  LayerNormalization: (c, b) => {
    const x = c.x(0);
    const axes = range(normAxis(c.attrs.axis ?? -1, rankOf(x)), rankOf(x));
    const st = shared(() => standardise(b, x, axes, c.attrs.epsilon ?? 1e-5));
    return [
      () => normInputGrad(b, b.mul(c.g(), c.x(1)), st().xhat, st().rstd, axes),
      () => b.mul(c.g(), st().xhat),
      () => c.g(),
    ];
  },
  // per (n, c) over spatial axes: dx = norm grad of g*scale[c], dscale = sum g*xhat, dbias = sum g
  InstanceNormalization: (c, b) => {
    const x = c.x(0);
    const r = rankOf(x);
    const axes = range(2, r);
    const st = shared(() => standardise(b, x, axes, c.attrs.epsilon ?? 1e-5));
    const scale = () => reshapeTo(b, c.x(1), [shapeOf(x)[1] ?? 1, ...new Array<number>(r - 2).fill(1)]);
    return [
      () => normInputGrad(b, b.mul(c.g(), scale()), st().xhat, st().rstd, axes),
      () => b.reduceSum(b.mul(c.g(), st().xhat), [0, ...axes], false),
      () => b.reduceSum(c.g(), [0, ...axes], false),
    ];
  },
} satisfies Partial<RuleTable>;
