// The optimiser contract: an optimiser writes its update step as graph ops (so a training step is
// one onnxruntime run) over per-parameter state tensors, driven by scalar hyperparameters that are
// fed every step (learning-rate schedules and bias corrections need no new graph).
import { EngineError } from '../core/errors';
import type { GraphBuilder, Value } from '../ir';

export interface ParamUpdate {
  readonly param: Value;
  /** New state, in the order of `stateNames`. */
  readonly state: readonly Value[];
}

export interface Optimizer {
  readonly kind: 'adamw' | 'sgd';
  /** The base learning rate. */
  readonly lr: number;
  /** Per-parameter state tensors (shape of the parameter, zero before the first step). */
  readonly stateNames: readonly string[];
  /** Scalar graph inputs fed each step. */
  readonly hyperNames: readonly string[];
  /** Values of the hyperparameters for 1-based step `step` at learning rate `lr`. */
  hyperValues(step: number, lr: number): Readonly<Record<string, number>>;
  /** Appends the update of parameter `p` with gradient `g` to the graph. */
  update(b: GraphBuilder, p: Value, g: Value, state: readonly Value[], hyper: Readonly<Record<string, Value>>): ParamUpdate;
}

/** The hyper value `name`, which the training graph always supplies. */
export function hyperInput(hyper: Readonly<Record<string, Value>>, name: string): Value {
  const v = hyper[name];
  if (!v) throw new EngineError('graph-invalid', `The training graph has no optimizer input 'opt/${name}'; build it with buildTrainingGraph.`, { hyper: name });
  return v;
}
