// The router's three graphs. Forward (training, before the UNet): gates, similarities and the
// assignment over the whole global batch. Step (after the UNet): the same forward given the
// forward run's assignment, the router-side losses (resource, std, max, contrastive) and, by
// autodiff, d/d(parameters) of those losses plus <gates, seed>, the seed being d(UNet losses)/d(gates)
// from the UNet micro-batches. Inference: prompt embedding -> expert id, no noise, parameters and
// the balancing code biases baked in (what bundles ship). Parameters are graph inputs in the
// training graphs.
// The training graphs take and give float32 but compute in float64 inside: the gates sit deep in
// the sigmoid's saturation (offset 3, temperature 0.4), where float32's 1 - sigmoid keeps about three
// digits, and the router is tiny next to the UNet, so its float64 costs nothing measurable.
import { EngineError } from '../../core/errors';
import { eliminateDeadCode, GraphBuilder, type Graph, type Value } from '../../ir';
import { contrastiveLoss, type ContrastiveTemperatures } from '../losses/contrastive';
import { maxLoss, resourceLoss, resourceRatio, stdLoss, type ResourceModel } from '../losses/resource';
import { differentiate } from './differentiate';
import { routerForward, type RouterInputs, type RouterValues } from './forward';
import { routerParamShapes, type RouterParamTensor } from './params';
import { assignCodes } from './routing';
import type { RouterSpec } from './spec';

export const ROUTER_INPUTS = {
  embedding: 'prompt_embedding',
  predictorNoise: 'noise/predictor',
  codeNoise: 'noise/codes',
  assignment: 'assignment',
  gateSeed: 'seed/gates',
} as const;

export const ROUTER_OUTPUTS = {
  /** What gates the UNet [N, L]: the predictor's gates (pre-training, baseline) or the assigned code's. */
  gates: 'gates',
  predictorGates: 'gates/predictor',
  codeGates: 'gates/codes',
  scores: 'scores',
  assignment: 'assignment',
  rho: 'rho',
  resource: 'loss/resource',
  std: 'loss/std',
  max: 'loss/max',
  contrastive: 'loss/contrastive',
  /** Weighted sum of the router-side terms (without the UNet's). */
  router: 'loss/router',
  expert: 'expert',
} as const;

/** Which gates drive the UNet: the predictor's own (pre-training; the baseline) or the assigned code's. */
export type Gating = 'predictor' | 'code';

export interface RouterLossSpec {
  readonly resource: ResourceModel;
  /** The prunable-MACs target p' (losses/resource.ts prunableTarget). */
  readonly target: number;
  readonly weights: { readonly resource: number; readonly contrastive: number; readonly std: number; readonly max: number };
  readonly temperatures: ContrastiveTemperatures;
}

interface Built {
  readonly b: GraphBuilder;
  /** The inputs as computed with (cast to the compute dtype). */
  readonly inputs: RouterInputs;
  /** The parameter inputs as fed (the graph's own inputs, what gradients are taken with respect to). */
  readonly fed: Readonly<Record<string, Value>>;
  readonly values: RouterValues;
  /** A graph input of the fed dtype, as a value of the compute dtype. */
  input(name: string, dims: readonly number[]): Value;
  /** Declares an output, float values cast back to the fed dtype. */
  output(v: Value, name: string): void;
}

/** The dtype of the graphs' inputs and outputs: float32 for training; float64 for checks against PyTorch. */
export type RouterDType = 'float32' | 'float64';

const COMPUTE: RouterDType = 'float64';

function openRouter(spec: RouterSpec, name: string, batch: number, dtype: RouterDType): Built {
  if (!Number.isInteger(batch) || batch < 1) throw new EngineError('invalid-argument', `A router batch must be a whole number >= 1 (got ${batch}).`, { batch });
  const b = new GraphBuilder(name);
  const l = spec.layout.vectorLength;
  const compute = (v: Value): Value => (v.type.dtype === COMPUTE ? v : b.cast(v, COMPUTE));
  const input = (n: string, dims: readonly number[]): Value => compute(b.input(n, dtype, dims));
  const fed = Object.fromEntries(routerParamShapes(spec).map((p) => [p.name, b.input(p.name, dtype, p.dims)]));
  const params = Object.fromEntries(Object.entries(fed).map(([n, v]) => [n, compute(v)]));
  const embedding = input(ROUTER_INPUTS.embedding, [batch, spec.embedDim]);
  const predictorNoise = input(ROUTER_INPUTS.predictorNoise, [spec.kind === 'single' ? 1 : batch, l]);
  const codeNoise = spec.kind === 'router' ? input(ROUTER_INPUTS.codeNoise, [spec.experts, l]) : null;
  const inputs: RouterInputs = { params, embedding, predictorNoise, codeNoise };
  const output = (v: Value, n: string): void => { b.output(v.type.dtype === COMPUTE && dtype !== COMPUTE ? b.cast(v, dtype) : v, n); };
  return { b, inputs, fed, values: routerForward(b, spec, inputs), input, output };
}

function gatingGates(b: GraphBuilder, values: RouterValues, gating: Gating, assignment: Value | undefined): Value {
  if (gating === 'predictor') return values.predictorGates;
  if (!values.codeGates || !assignment) throw new EngineError('invalid-argument', 'Gating by codes needs a router with a codebook (the single-architecture baseline gates by its own vector).', { gating });
  return b.gather(values.codeGates, assignment, 0);
}

/** Training forward over the global batch: every gate tensor, similarities, assignment, rho. */
export function buildRouterForward(spec: RouterSpec, batch: number, gating: Gating, resource: ResourceModel, dtype: RouterDType = 'float32'): Graph {
  const { b, values, output } = openRouter(spec, 'router_forward', batch, dtype);
  const gates = gatingGates(b, values, gating, values.assignment);
  output(gates, ROUTER_OUTPUTS.gates);
  output(values.predictorGates, ROUTER_OUTPUTS.predictorGates);
  if (values.codeGates) output(values.codeGates, ROUTER_OUTPUTS.codeGates);
  if (values.scores) output(values.scores, ROUTER_OUTPUTS.scores);
  if (values.assignment) output(values.assignment, ROUTER_OUTPUTS.assignment);
  output(resourceRatio(b, resource, gates), ROUTER_OUTPUTS.rho);
  return b.build();
}

/** The router's training step: losses and d/d(parameters) (outputs 'grad/<param name>'). */
export function buildRouterStep(spec: RouterSpec, batch: number, gating: Gating, losses: RouterLossSpec, dtype: RouterDType = 'float32'): Graph {
  const { b, inputs, fed, values, input, output } = openRouter(spec, 'router_step', batch, dtype);
  const assignment = gating === 'code' ? b.input(ROUTER_INPUTS.assignment, 'int64', [batch]) : undefined;
  const gates = gatingGates(b, values, gating, assignment);
  const seed = input(ROUTER_INPUTS.gateSeed, [batch, spec.layout.vectorLength]);
  const rho = resourceRatio(b, losses.resource, gates);
  const w = losses.weights;
  const terms: [string, Value, number][] = [
    [ROUTER_OUTPUTS.resource, resourceLoss(b, rho, losses.target), w.resource],
    [ROUTER_OUTPUTS.std, stdLoss(b, rho), w.std],
    [ROUTER_OUTPUTS.max, maxLoss(b, rho), w.max],
  ];
  if (spec.kind === 'router') terms.push([ROUTER_OUTPUTS.contrastive, contrastiveLoss(b, values.predictorRouting, inputs.embedding, losses.temperatures), w.contrastive]);
  const router = terms.map(([, v, weight]) => b.mul(v, weight)).reduce((acc, t) => b.add(acc, t));
  for (const [name, v] of terms) output(v, name);
  output(router, ROUTER_OUTPUTS.router);
  output(gates, ROUTER_OUTPUTS.gates);
  output(rho, ROUTER_OUTPUTS.rho);
  const objective = b.add(router, b.reduceSum(b.mul(gates, seed), undefined, false));
  const wrt = routerParamShapes(spec).map((p) => fed[p.name] as Value);
  return eliminateDeadCode(differentiate(b, objective, wrt).b.build());
}

/**
 * Deterministic routing with the parameters baked in: [N, E] -> expert id [N], the argmax of the
 * noise-free scores plus `codeBias` [K] (code-bias.ts: the balancing biases a run recorded; omitted
 * or zeros: the plain argmax).
 */
export function buildInferenceRouter(spec: RouterSpec, params: readonly RouterParamTensor[], batch: number, codeBias?: readonly number[]): Graph {
  if (spec.kind !== 'router') throw new EngineError('invalid-argument', 'The single-architecture baseline has one expert and needs no router.', { kind: spec.kind });
  const b = new GraphBuilder('router');
  const byName = Object.fromEntries(params.map((p) => [p.name, b.initializer(p.name, p.data, p.dims)]));
  for (const p of routerParamShapes(spec)) {
    const given = params.find((q) => q.name === p.name);
    if (!given || given.dims.join() !== p.dims.join()) throw new EngineError('invalid-argument', `Router parameter '${p.name}' must be float32[${p.dims.join(', ')}] for this spec.`, { param: p.name });
  }
  const embedding = b.input(ROUTER_INPUTS.embedding, 'float32', [batch, spec.embedDim]);
  if (codeBias && codeBias.length !== spec.experts) throw new EngineError('invalid-argument', `The router needs one bias per code (${spec.experts}), got ${codeBias.length}.`, { biases: codeBias.length });
  const values = routerForward(b, spec, { params: byName, embedding, predictorNoise: null, codeNoise: null }, false);
  if (!values.scores) throw new EngineError('graph-invalid', 'The router produced no scores.', {});
  const scores = codeBias ? b.add(values.scores, b.constant('float32', [spec.experts], codeBias)) : values.scores;
  b.output(assignCodes(b, spec, scores, false), ROUTER_OUTPUTS.expert);
  return eliminateDeadCode(b.build());
}
