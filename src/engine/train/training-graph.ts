// The training graph: forward + loss, the gradients of the loss for each parameter (autodiff), and
// the optimiser's update, built in one builder, so one onnxruntime run is one training step.
// Parameters and optimiser state are graph inputs fed each step; the step returns the loss,
// 'new/<param>' and 'new/opt/<param>/<state>'. Forward outputs other than the loss and `keep` are
// dropped, and with them any node only they needed.
import type { DType } from '../core/dtype';
import { EngineError } from '../core/errors';
import { gradients } from '../autodiff';
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
  const b = GraphBuilder.from(forward, `${forward.name}.train`);
  const grads = gradients(b, lossOutput(forward, spec.loss), params);
  const hyper: Record<string, Value> = {};
  for (const h of spec.optimizer.hyperNames) hyper[h] = b.input(hyperInputName(h), dtype, []);
  params.forEach((p, i) => {
    const state = spec.optimizer.stateNames.map((s) => b.input(stateInputName(p.name, s), dtype, p.type.shape));
    const g = grads[i];
    if (!g) throw new EngineError('graph-invalid', `autodiff returned no gradient for '${p.name}'; this is an engine bug.`, { param: p.name });
    const update = b.scope(`optimizer/${p.name}`, () => spec.optimizer.update(b, p, g, state, hyper));
    b.output(update.param, newName(p.name));
    update.state.forEach((v, j) => b.output(v, newName(stateInputName(p.name, spec.optimizer.stateNames[j] ?? ''))));
  });
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

function lossOutput(forward: Graph, name: string): Value {
  const out = forward.outputs.find((o) => o.name === name);
  if (!out) {
    throw new EngineError('invalid-argument', `Graph '${forward.name}' has no output '${name}' to train on; pass the name of its scalar loss output (outputs: ${forward.outputs.map((o) => o.name).join(', ')}).`, { loss: name, outputs: forward.outputs.map((o) => o.name) });
  }
  return out.value;
}
