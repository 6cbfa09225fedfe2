// From gates to an expert (APTP.md "Router" 5-6): the routing vector (hard values; entries of a
// depth-gated unit are its soft values times its soft depth gate, as the authors' code computes
// them; every entry scaled by sqrt(1/group width), optionally by its MACs share; L2-normalised),
// cosine similarity of prompts to codes, SwAV-style Sinkhorn optimal transport and the argmax.
import type { GraphBuilder, Value } from '../../ir';
import { hardGates } from './gumbel';
import type { RouterSpec } from './spec';

/** Unit-length routing vectors [N, L] of gates [N, L]. */
export function routingVector(b: GraphBuilder, spec: RouterSpec, gates: Value): Value {
  return b.scope('routing_vector', () => {
    const { width, depth, entryDepth, routingScale } = spec.tables;
    const dtype = gates.type.dtype;
    const hard = hardGates(b, gates);
    let widthPart = b.slice(hard, [0], [width], [1]);
    if (entryDepth.some((d) => d >= 0)) {
      const spread = new Float64Array(depth * width);
      const free = new Float64Array(width);
      entryDepth.forEach((d, e) => {
        if (d >= 0) spread[d * width + e] = 1;
        else free[e] = 1;
      });
      const softW = b.slice(gates, [0], [width], [1]);
      const softD = b.slice(gates, [width], [width + depth], [1]);
      const depthPerEntry = b.matmul(softD, b.constant(dtype, [depth, width], spread));
      widthPart = b.add(b.mul(widthPart, b.constant(dtype, [width], free)), b.mul(softW, depthPerEntry));
    }
    const joined = b.concat([widthPart, b.slice(hard, [width], [width + depth], [1])], 1);
    return l2Normalize(b, b.mul(joined, b.constant(dtype, [width + depth], routingScale)));
  });
}

/** v / ||v|| along the last axis of [N, D]. */
export function l2Normalize(b: GraphBuilder, v: Value): Value {
  return b.div(v, b.sqrt(b.reduceSum(b.mul(v, v), [1])));
}

/** Cosine similarities [N, K] between unit-length rows of a [N, L] and c [K, L]. */
export function similarities(b: GraphBuilder, a: Value, c: Value): Value {
  return b.matmul(a, b.transpose(c, [1, 0]));
}

/**
 * SwAV's Sinkhorn-Knopp on similarities [N, K]: Q = exp(S/eps)^T, normalised to sum 1, then
 * `iterations` rounds of rows (codes) to 1/K and columns (samples) to 1/N; returns N*Q^T [N, K],
 * whose rows are soft assignments with balanced code usage over the N samples given.
 */
export function sinkhorn(b: GraphBuilder, scores: Value, epsilon: number, iterations: number): Value {
  return b.scope('sinkhorn', () => {
    const [n = 0, k = 0] = scores.type.shape;
    let q = b.transpose(b.exp(b.div(scores, epsilon)), [1, 0]);
    q = b.div(q, b.reduceSum(q));
    for (let i = 0; i < iterations; i++) {
      q = b.div(b.div(q, b.reduceSum(q, [1])), k);
      q = b.div(b.div(q, b.reduceSum(q, [0])), n);
    }
    return b.transpose(b.mul(q, n), [1, 0]);
  });
}

/** The code index [N] (int64) each prompt goes to: Sinkhorn then argmax in training, or plain argmax. */
export function assignCodes(b: GraphBuilder, spec: RouterSpec, scores: Value, optimalTransport: boolean): Value {
  const plan = optimalTransport ? sinkhorn(b, scores, spec.sinkhornEpsilon, spec.sinkhornIterations) : scores;
  return b.argMax(plan, 1, false);
}
