// The training graph: forward + loss, the gradients of the loss for each parameter (autodiff), and
// the optimiser's update, in one graph, so one onnxruntime run is one training step. Parameters
// and optimiser state are graph inputs fed each step; the step returns the loss, 'new/<param>' and
// 'new/opt/<param>/<state>'. Gradient outputs are dropped, and with them any node only they needed.
import type { DType } from '../core/dtype';
import { EngineError } from '../core/errors';
import { grad } from '../autodiff';
import { GraphBuilder, eliminateDeadCode, type Graph, type Value } from '../ir';
import type { Optimizer } from './optimizer';

export interface TrainingGraphSpec {
  /** Name of the scalar loss output of the forward graph. */
  readonly loss: string;
  /** Names of the forward graph's inputs that are trained. */
  readonly params: readonly string[];
  readonly optimizer: Optimizer;
  /** Forward outputs to keep beside the loss (e.g. logits for a running accuracy). */
  readonly keep?: readonly string[];
}

export const stateInputName = (param: string, state: string): string => `opt/${param}/${state}`;
export const hyperInputName = (hyper: string): string => `opt/${hyper}`;
export const newName = (name: string): string => `new/${name}`;

export function buildTrainingGraph(forward: Graph, spec: TrainingGraphSpec): Graph {
  const params = spec.params.map((name) => paramInput(forward, name));
  const dtype = commonDType(params);
  const withGrads = grad(forward, { loss: spec.loss, wrt: spec.params });
  const b = GraphBuilder.from(withGrads, `${forward.name}.train`);
  const hyper: Record<string, Value> = {};
  for (const h of spec.optimizer.hyperNames) hyper[h] = b.input(hyperInputName(h), dtype, []);
  for (const p of params) {
    const state = spec.optimizer.stateNames.map((s) => b.input(stateInputName(p.name, s), dtype, p.type.shape));
    const update = b.scope(`optimizer/${p.name}`, () => spec.optimizer.update(b, p, gradOf(withGrads, p.name), state, hyper));
    b.output(update.param, newName(p.name));
    update.state.forEach((v, i) => b.output(v, newName(stateInputName(p.name, spec.optimizer.stateNames[i] ?? ''))));
  }
  const built = b.build();
  const keep = new Set([spec.loss, ...(spec.keep ?? [])]);
  const outputs = built.outputs.filter((o) => o.name.startsWith('new/') || keep.has(o.name));
  return eliminateDeadCode({ ...built, outputs });
}

function paramInput(forward: Graph, name: string): Value {
  const v = forward.inputs.find((i) => i.name === name);
  if (!v) {
    throw new EngineError('invalid-argument', `Parameter '${name}' is not an input of graph '${forward.name}'; declare each trained parameter with builder.input().`, { param: name, graph: forward.name });
  }
  return v;
}

function commonDType(params: readonly Value[]): DType {
  const dtypes = new Set(params.map((p) => p.type.dtype));
  const [dtype] = dtypes;
  if (dtypes.size !== 1 || (dtype !== 'float32' && dtype !== 'float64')) {
    throw new EngineError('dtype-mismatch', `Trained parameters must all be float32 or all float64 (got ${[...dtypes].join(', ') || 'none'}).`, { dtypes: [...dtypes] });
  }
  return dtype;
}

function gradOf(graph: Graph, param: string): Value {
  const out = graph.outputs.find((o) => o.name === `grad/${param}`);
  if (!out) throw new EngineError('graph-invalid', `autodiff returned no gradient for '${param}'.`, { param });
  return out.value;
}
