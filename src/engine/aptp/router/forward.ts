// The router's forward computation on an open builder: prompt embeddings -> predictor logits ->
// Gumbel-sigmoid gates -> routing vectors; the codebook's gates and routing vectors; similarities
// and the assignment. For the single-architecture baseline: one gate vector for every prompt.
// Whole graphs (forward, training step, inference) are assembled from this in graphs.ts.
import { EngineError } from '../../core/errors';
import type { GraphBuilder, Value } from '../../ir';
import { ROUTER_PARAMS } from './params';
import { gumbelGates } from './gumbel';
import { assignCodes, routingVector, similarities } from './routing';
import type { RouterSpec } from './spec';

export interface RouterInputs {
  /** Parameter values by ROUTER_PARAMS name. */
  readonly params: Readonly<Record<string, Value>>;
  /** Prompt embeddings [N, E]. */
  readonly embedding: Value;
  /** Gumbel noise for the predictor's gates [N, L] (baseline: [1, L]); null for none (inference). */
  readonly predictorNoise: Value | null;
  /** Gumbel noise for the codes' gates [K, L]; null for none. */
  readonly codeNoise: Value | null;
}

export interface RouterValues {
  /** Soft gates of each prompt's own predicted architecture [N, L] (the baseline's one vector, repeated). */
  readonly predictorGates: Value;
  /** Unit-length routing vectors of predictorGates [N, L]. */
  readonly predictorRouting: Value;
  /** Soft gates of the K codes [K, L] (absent for the baseline). */
  readonly codeGates?: Value;
  /** Cosine similarities prompt x code [N, K]. */
  readonly scores?: Value;
  /** The code of each prompt [N] (int64): Sinkhorn + argmax when optimal transport is on, else argmax. */
  readonly assignment?: Value;
}

function param(inputs: RouterInputs, name: string): Value {
  const v = inputs.params[name];
  if (!v) throw new EngineError('invalid-argument', `Router parameter '${name}' was not given.`, { param: name });
  return v;
}

/** Predictor logits x @ W + bias [N, L]. */
export function predictorLogits(b: GraphBuilder, inputs: RouterInputs): Value {
  return b.scope('predictor', () => b.linear(inputs.embedding, param(inputs, ROUTER_PARAMS.predictorWeight), param(inputs, ROUTER_PARAMS.predictorBias)));
}

/** The router's forward values; `optimalTransport` chooses the assignment rule (training: spec.optimalTransport). */
export function routerForward(b: GraphBuilder, spec: RouterSpec, inputs: RouterInputs, optimalTransport = spec.optimalTransport): RouterValues {
  const [n = 0] = inputs.embedding.type.shape;
  if (spec.kind === 'single') {
    const one = gumbelGates(b, spec, param(inputs, ROUTER_PARAMS.arch), inputs.predictorNoise);
    const predictorGates = b.expand(one, [n, spec.layout.vectorLength]);
    return { predictorGates, predictorRouting: routingVector(b, spec, predictorGates) };
  }
  const predictorGates = gumbelGates(b, spec, predictorLogits(b, inputs), inputs.predictorNoise);
  const predictorRouting = routingVector(b, spec, predictorGates);
  const codeGates = b.scope('codes', () => gumbelGates(b, spec, param(inputs, ROUTER_PARAMS.codebook), inputs.codeNoise));
  const codeRouting = b.scope('codes', () => routingVector(b, spec, codeGates));
  const scores = similarities(b, predictorRouting, codeRouting);
  return { predictorGates, predictorRouting, codeGates, scores, assignment: assignCodes(b, spec, scores, optimalTransport) };
}
