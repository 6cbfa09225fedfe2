// The training graph: forward + loss, the gradients of the loss for each parameter (autodiff), and
// the optimiser's update, built in one builder, so one onnxruntime run is one training step.
// Parameters and optimiser state cross as one packed vector each ('packed/params',
// 'opt/packed/<state>'), fed each step: inside the graph each parameter is a slice of the packed
// vector, the gradients are concatenated in the same layout and the optimiser updates the whole
// vector with a handful of ops. One tensor per kind instead of one per parameter: the world UNet's
// 360 parameters made 5,700 optimiser nodes and 2,160 tensors crossing per step (bench/world-train.ts).
// The step returns the loss, 'new/packed/params' and 'new/opt/packed/<state>'. Forward outputs
// other than the loss and `keep` are dropped, and with them any node only they needed.
import type { DType } from '../core/dtype';
import { EngineError } from '../core/errors';
import { numel } from '../core/shape';
import { gradients } from '../autodiff';
import { GraphBuilder, eliminateDeadCode, type Graph, type Node, type Value } from '../ir';
import type { Optimizer } from './optimizer';

export interface TrainingGraphSpec {
  /** Name of the scalar loss output of the forward graph. */
  readonly loss: string;
  /** Names of the forward graph's inputs that are trained, in packing order. */
  readonly params: readonly string[];
  readonly optimizer: Optimizer;
  /** Forward outputs to keep beside the loss (e.g. logits for a running accuracy). */
  readonly keep?: readonly string[];
}

/** Where each parameter lives in the packed vector. */
export interface PackedSlot {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly dims: readonly number[];
}

export interface PackedLayout {
  readonly slots: readonly PackedSlot[];
  readonly total: number;
}

export const PACKED = 'packed';
export const PACKED_PARAMS = `${PACKED}/params`;
export const stateInputName = (param: string, state: string): string => `opt/${param}/${state}`;
export const hyperInputName = (hyper: string): string => `opt/${hyper}`;
export const newName = (name: string): string => `new/${name}`;
/** The packed optimiser state input of state `state` ('opt/packed/<state>'). */
export const packedStateName = (state: string): string => stateInputName(PACKED, state);

/** Parameters laid end to end in the given order. */
export function packedLayout(params: readonly { readonly name: string; readonly dims: readonly number[] }[]): PackedLayout {
  let offset = 0;
  const slots = params.map((p) => {
    const slot = { name: p.name, offset, size: numel(p.dims), dims: [...p.dims] };
    offset += slot.size;
    return slot;
  });
  return { slots, total: offset };
}

export function buildTrainingGraph(forward: Graph, spec: TrainingGraphSpec): Graph {
  const params = spec.params.map((name) => paramInput(forward, name));
  const dtype = commonDType(params);
  const layout = packedLayout(params.map((p) => ({ name: p.name, dims: p.type.shape })));
  const b = GraphBuilder.from(forward, `${forward.name}.train`);
  const grads = gradients(b, lossOutput(forward, spec.loss), params);
  const flatGrads = params.map((p, i) => {
    const g = grads[i];
    if (!g) throw new EngineError('graph-invalid', `autodiff returned no gradient for '${p.name}'; this is an engine bug.`, { param: p.name });
    return b.scope(`pack/${p.name}`, () => b.reshape(g, [-1]));
  });
  const grad = flatGrads.length === 1 ? (flatGrads[0] as Value) : b.scope(PACKED, () => b.concat(flatGrads, 0));
  const packed = b.input(PACKED_PARAMS, dtype, [layout.total]);
  const state = spec.optimizer.stateNames.map((s) => b.input(packedStateName(s), dtype, [layout.total]));
  const hyper: Record<string, Value> = {};
  for (const h of spec.optimizer.hyperNames) hyper[h] = b.input(hyperInputName(h), dtype, []);
  const update = b.scope('optimizer', () => spec.optimizer.update(b, packed, grad, state, hyper));
  b.output(update.param, newName(PACKED_PARAMS));
  update.state.forEach((v, j) => b.output(v, newName(packedStateName(spec.optimizer.stateNames[j] ?? ''))));
  // Each parameter becomes a slice of the packed vector; these nodes move to the front below.
  const unpackFrom = b.nodeCount;
  const unpacked = new Map<number, Value>();
  params.forEach((p, i) => {
    const slot = layout.slots[i] as PackedSlot;
    unpacked.set(p.id, b.scope(`unpack/${p.name}`, () => b.reshape(b.slice(packed, [slot.offset], [slot.offset + slot.size], [0]), p.type.shape)));
  });
  const built = b.build();
  const keep = new Set([spec.loss, ...(spec.keep ?? [])]);
  const swap = (v: Value): Value => unpacked.get(v.id) ?? v;
  const rewired = (n: Node): Node => ({ ...n, inputs: n.inputs.map(swap) }) as Node;
  return eliminateDeadCode({
    ...built,
    inputs: built.inputs.filter((v) => !unpacked.has(v.id)),
    nodes: [...built.nodes.slice(unpackFrom), ...built.nodes.slice(0, unpackFrom).map(rewired)],
    outputs: built.outputs.filter((o) => o.name.startsWith('new/') || keep.has(o.name)).map((o) => ({ ...o, value: swap(o.value) })),
  });
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
