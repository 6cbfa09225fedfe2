// Gumbel-sigmoid gates (APTP.md "Router" 4) as graph functions, the noise supplied as an input so
// a seeded RNG (and the PyTorch twin) can give the same draw. Width entries: sigmoid((z+g+b)/T),
// then a width group whose hard values are all 0 gets +0.5 on its first entry. Depth entries: the
// depth logits' softmax, cumulative sum, flipped (most important first), inverse sigmoid (eps 1e-6
// as the authors), placed by the depth order, then the same sigmoid with the entry's noise. The
// inverse sigmoid's 1 - cdf is summed (the softmax's reverse exclusive cumulative sum), never
// subtracted: in float32 1 - cdf near the end is rounding noise of 6e-8 that 1/(1 - cdf + 1e-6)
// multiplies by a million in the gradient.
// `hardGates` is step(x >= 0.5) with a straight-through gradient.
import type { GraphBuilder, Value } from '../../ir';
import type { Random } from '../../train/random';
import { stopGradient } from './differentiate';
import type { RouterSpec } from './spec';

const INVERSE_SIGMOID_EPS = 1e-6;

/**
 * What the noise is added to [N, L]: the width logits as they are, the depth logits as their
 * inverse-sigmoid keep scores in vector order. An entry's hard gate is on when pre + noise + offset >= 0.
 */
export function gatePreactivations(b: GraphBuilder, spec: RouterSpec, logits: Value): Value {
  return b.scope('gumbel', () => {
    const { width, depth } = spec.tables;
    const wLogits = b.slice(logits, [0], [width], [1]);
    const dLogits = b.slice(logits, [width], [width + depth], [1]);
    return depth > 0 ? b.concat([wLogits, depthImportance(b, spec, dLogits)], 1) : logits;
  });
}

/** Soft gates [N, L] from logits [N, L] and Gumbel noise broadcastable to them (0 for none). */
export function gumbelGates(b: GraphBuilder, spec: RouterSpec, logits: Value, noise: Value | null): Value {
  const pre = gatePreactivations(b, spec, logits);
  return b.scope('gumbel', () => {
    const { width, depth } = spec.tables;
    const noisy = noise ? b.add(pre, noise) : pre;
    const soft = b.sigmoid(b.div(b.add(noisy, spec.offset), spec.temperature));
    const wSoft = b.slice(soft, [0], [width], [1]);
    const dSoft = b.slice(soft, [width], [width + depth], [1]);
    return b.concat([nonZeroWidth(b, spec, wSoft), dSoft], 1);
  });
}

/** Inverse-sigmoid keep scores of the depth gates in vector order: flip(cumsum(softmax(z))) placed by the depth order. */
function depthImportance(b: GraphBuilder, spec: RouterSpec, dLogits: Value): Value {
  const d = spec.tables.depth;
  const p = b.softmax(dLogits, 1);
  const cdf = b.cumSum(p, 1);
  const rest = b.cumSum(p, 1, { exclusive: true, reverse: true });
  // ordered position j holds cdf[d-1-j] and belongs to depth gate depthOrder[j]
  const pick = new Array<number>(d).fill(0);
  spec.depthOrder.forEach((gate, j) => { pick[gate] = d - 1 - j; });
  const at = b.constant('int64', [d], pick);
  const [x, oneMinusX] = [b.gather(cdf, at, 1), b.gather(rest, at, 1)];
  return b.sub(b.log(b.add(x, INVERSE_SIGMOID_EPS)), b.log(b.add(oneMinusX, INVERSE_SIGMOID_EPS)));
}

/** +0.5 on the first entry of every width group whose hard values are all 0 (per row). */
function nonZeroWidth(b: GraphBuilder, spec: RouterSpec, soft: Value): Value {
  const { width, groups } = spec.tables;
  const dtype = soft.type.dtype;
  const member = new Float64Array(width * groups.length);
  const first = new Float64Array(groups.length * width);
  groups.forEach(([offset, w], g) => {
    for (let e = offset; e < offset + w; e++) member[e * groups.length + g] = 1;
    first[g * width + offset] = 0.5;
  });
  const kept = b.matmul(hardValues(b, soft), b.constant(dtype, [width, groups.length], member));
  const empty = b.cast(b.equal(kept, b.scalar(0, dtype)), dtype);
  const bump = b.matmul(empty, b.constant(dtype, [groups.length, width], first));
  return b.add(soft, bump);
}

/** step(x >= 0.5) as x's float type, with no gradient. */
export function hardValues(b: GraphBuilder, x: Value): Value {
  return b.cast(b.greaterOrEqual(x, 0.5), x.type.dtype);
}

/** step(x >= 0.5) forward, identity gradient (straight-through estimator). */
export function hardGates(b: GraphBuilder, x: Value): Value {
  return b.add(x, stopGradient(b, b.sub(hardValues(b, x), x)));
}

/** Gumbel(0, 1) draws -log(-log(u + 1e-20) + 1e-20), u uniform in [0, 1) (the authors' sample_gumbel). */
export function gumbelNoise(rand: Random, count: number): Float32Array {
  return Float32Array.from({ length: count }, () => -Math.log(-Math.log(rand.next() + 1e-20) + 1e-20));
}
