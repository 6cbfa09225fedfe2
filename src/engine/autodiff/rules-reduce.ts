// Gradient rules for reductions, cumulative sums, softmaxes and normalisations.
import type { Value } from '../ir/graph';
import type { AttrsOf } from '../ir/ops';
import { normAxis, rankOf, range, shapeOf, type GradOps } from './grad-ops';
import { noGrad, shared, type GradCtx, type RuleTable } from './types';

type ReduceOp = 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceMin' | 'ReduceLogSumExp';

/** The reduced axes (all when none are given), normalised. */
function reducedAxes(x: Value, attrs: AttrsOf<ReduceOp>): number[] {
  const axes = attrs.axes ?? [];
  return axes.length === 0 ? range(0, rankOf(x)) : axes.map((a) => normAxis(a, rankOf(x)));
}

/** A reduction's output (or its gradient) reshaped to keepdims form, so it broadcasts against x. */
function kept<O extends ReduceOp>(c: GradCtx<O>, o: GradOps, v: Value): Value {
  const axes = reducedAxes(c.x(0), c.attrs);
  return o.reshape(v, shapeOf(c.x(0)).map((d, i) => (axes.includes(i) ? 1 : d)));
}

/** d reduce-max/min: g shared equally by the tied extreme elements (as PyTorch amax/amin). */
function extremeGrad<O extends 'ReduceMax' | 'ReduceMin'>(c: GradCtx<O>, o: GradOps): Value {
  const x = c.x(0);
  const hit = o.mask(o.equal(x, kept(c, o, c.y())), x);
  const count = o.reduceSum(hit, reducedAxes(x, c.attrs), 1);
  return o.mul(hit, o.div(kept(c, o, c.g()), count));
}

/** Normalises over `axes` (keepdims): x-hat and 1/std, as the forward op (epsilon is a float32 attribute). */
function standardise(o: GradOps, x: Value, axes: readonly number[], epsilon: number): { xhat: Value; rstd: Value } {
  const xc = o.sub(x, o.reduceMean(x, axes));
  const rstd = o.reciprocal(o.sqrt(o.add(o.reduceMean(o.square(xc), axes), o.scalar(Math.fround(epsilon), x))));
  return { xhat: o.mul(xc, rstd), rstd };
}

/** d x of a normalisation: rstd * (gh - mean(gh) - xhat*mean(gh*xhat)), gh = g*scale. */
function normInputGrad(o: GradOps, gh: Value, xhat: Value, rstd: Value, axes: readonly number[]): Value {
  const centred = o.sub(gh, o.reduceMean(gh, axes));
  return o.mul(rstd, o.sub(centred, o.mul(xhat, o.reduceMean(o.mul(gh, xhat), axes))));
}

const selection = noGrad('it returns indices (TopK values and ArgMax/ArgMin are not differentiated)');

export const reduceRules = {
  // d sum = g broadcast back over the reduced axes
  ReduceSum: (c, o) => [() => o.expand(kept(c, o, c.g()), shapeOf(c.x(0)))],
  // d mean = g / n broadcast back
  ReduceMean: (c, o) => [() => {
    const n = reducedAxes(c.x(0), c.attrs).reduce((p, a) => p * (shapeOf(c.x(0))[a] ?? 1), 1);
    return o.expand(o.scale(kept(c, o, c.g()), 1 / n), shapeOf(c.x(0)));
  }],
  ReduceMax: (c, o) => [() => extremeGrad(c, o)],
  ReduceMin: (c, o) => [() => extremeGrad(c, o)],
  // d logsumexp = g * exp(x - y)
  ReduceLogSumExp: (c, o) => [() => o.mul(kept(c, o, c.g()), o.exp(o.sub(c.x(0), kept(c, o, c.y()))))],
  ArgMax: selection, ArgMin: selection, TopK: selection,
  // d cumsum = cumsum of g in the opposite direction (same exclusivity)
  CumSum: (c, o) => [() => o.op('CumSum', [c.g()], { axis: c.attrs.axis, exclusive: c.attrs.exclusive ?? 0, reverse: c.attrs.reverse ? 0 : 1 })],
  // d softmax = y * (g - sum(g*y))
  Softmax: (c, o) => [() => {
    const axis = normAxis(c.attrs.axis ?? -1, rankOf(c.x(0)));
    return o.mul(c.y(), o.sub(c.g(), o.reduceSum(o.mul(c.g(), c.y()), [axis])));
  }],
  // d logsoftmax = g - exp(y) * sum(g)
  LogSoftmax: (c, o) => [() => {
    const axis = normAxis(c.attrs.axis ?? -1, rankOf(c.x(0)));
    return o.sub(c.g(), o.mul(o.exp(c.y()), o.reduceSum(c.g(), [axis])));
  }],
  // y = xhat*scale + bias over axes [axis..]: dx = norm grad of g*scale, dscale = g*xhat, dbias = g
  LayerNormalization: (c, o) => {
    const x = c.x(0);
    const axes = range(normAxis(c.attrs.axis ?? -1, rankOf(x)), rankOf(x));
    const st = shared(() => standardise(o, x, axes, c.attrs.epsilon ?? 1e-5));
    return [
      () => normInputGrad(o, o.mul(c.g(), c.x(1)), st().xhat, st().rstd, axes),
      () => o.mul(c.g(), st().xhat),
      () => c.g(),
    ];
  },
  // per (n, c) over spatial axes: dx = norm grad of g*scale[c], dscale = sum g*xhat, dbias = sum g
  InstanceNormalization: (c, o) => {
    const x = c.x(0);
    const r = rankOf(x);
    const axes = range(2, r);
    const st = shared(() => standardise(o, x, axes, c.attrs.epsilon ?? 1e-5));
    const scale = () => o.reshape(c.x(1), [shapeOf(x)[1] ?? 1, ...new Array<number>(r - 2).fill(1)]);
    return [
      () => normInputGrad(o, o.mul(c.g(), scale()), st().xhat, st().rstd, axes),
      () => o.reduceSum(o.mul(c.g(), st().xhat), [0, ...axes], 0),
      () => o.reduceSum(c.g(), [0, ...axes], 0),
    ];
  },
} satisfies Partial<RuleTable>;
