// Turns a model graph whose weights are initializers (as the SD builders make them, named by
// diffusers keys) into a trainable one: the chosen initializers become graph inputs and their
// values become the trainer's parameter tensors. The inverse, for saving, is simply the parameter
// map: its names are the state-dict keys.
import { EngineError } from '../core/errors';
import { isTensorSource, type Graph, type Initializer } from '../ir';
import { hostTensor, type HostTensor } from '../runtime';

export interface TrainableGraph {
  readonly graph: Graph;
  /** Current values of the promoted initializers, by name (float32). */
  readonly params: Record<string, HostTensor>;
}

function toHost(init: Initializer): HostTensor {
  const { data, value } = init;
  if (isTensorSource(data) || !(data instanceof Float32Array)) {
    throw new EngineError('dtype-mismatch', `Weight '${value.name}' is not an in-memory float32 tensor; build trainable graphs with float32 weights in memory.`, { param: value.name });
  }
  return hostTensor('float32', value.type.shape, data.slice());
}

/** Promotes every initializer for which `train(name)` holds to a graph input. */
export function promoteToInputs(graph: Graph, train: (name: string) => boolean = () => true): TrainableGraph {
  const promoted = graph.initializers.filter((i) => train(i.value.name));
  if (promoted.length === 0) throw new EngineError('invalid-argument', `Graph '${graph.name}' has no weights to train (no initializer matched).`, { graph: graph.name });
  const params: Record<string, HostTensor> = {};
  for (const init of promoted) params[init.value.name] = toHost(init);
  const kept = graph.initializers.filter((i) => !train(i.value.name));
  return { graph: { ...graph, inputs: [...graph.inputs, ...promoted.map((i) => i.value)], initializers: kept }, params };
}
