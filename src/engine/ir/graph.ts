// The graph data model: values with static tensor types, nodes (op, inputs, outputs, typed attrs,
// readable name) in topological order, graph inputs, initializers and named outputs. Graphs are
// plain immutable data; GraphBuilder makes them and the verifier checks them.
import type { DType, TensorData } from '../core/dtype';
import type { AttrsOf, OpType } from './ops';

export interface TensorType {
  readonly dtype: DType;
  readonly shape: readonly number[];
}

/** A tensor in a graph. Identity is `id`; `name` is unique too and is what ONNX and Netron show. */
export interface Value {
  readonly id: number;
  readonly name: string;
  readonly type: TensorType;
}

export interface NodeOf<O extends OpType> {
  readonly op: O;
  /** Unique, readable (scoped like `down.0/resnet/Conv_12`). */
  readonly name: string;
  readonly inputs: readonly Value[];
  readonly outputs: readonly Value[];
  readonly attrs: AttrsOf<O>;
}

/** A node of any op; narrowing on `node.op` narrows `node.attrs`. */
export type Node = { [O in OpType]: NodeOf<O> }[OpType];

/**
 * Where an initializer's bytes live when they are not in memory. Bytes are raw little-endian in the
 * layout of the dtype (as ONNX raw_data / safetensors). A large weight never has to sit in one buffer
 * with the others: the ONNX writer streams each source to the external data file in turn.
 */
export type TensorSource =
  | { readonly kind: 'file'; readonly path: string; readonly offset: number; readonly byteLength: number }
  | { readonly kind: 'lazy'; readonly byteLength: number; readonly load: () => Promise<Uint8Array> };

export interface Initializer {
  readonly value: Value;
  readonly data: TensorData | TensorSource;
}

export interface GraphOutput {
  /** Output name as seen by a runtime (may differ from value.name; the emitter adds an Identity). */
  readonly name: string;
  readonly value: Value;
}

export interface Graph {
  readonly name: string;
  readonly inputs: readonly Value[];
  readonly initializers: readonly Initializer[];
  /** Topologically ordered. */
  readonly nodes: readonly Node[];
  readonly outputs: readonly GraphOutput[];
}

export function isTensorSource(data: TensorData | TensorSource): data is TensorSource {
  return !ArrayBuffer.isView(data);
}

/** Byte length of an initializer's data, in memory or not. */
export function initializerByteLength(init: Initializer): number {
  return isTensorSource(init.data) ? init.data.byteLength : init.data.byteLength;
}

/** Map from value id to the node producing it (graph inputs and initializers are absent). */
export function producers(graph: Graph): Map<number, Node> {
  const map = new Map<number, Node>();
  for (const node of graph.nodes) for (const out of node.outputs) map.set(out.id, node);
  return map;
}

/** Map from value id to the nodes consuming it, in graph order. */
export function consumers(graph: Graph): Map<number, Node[]> {
  const map = new Map<number, Node[]>();
  for (const node of graph.nodes) {
    for (const input of node.inputs) {
      const list = map.get(input.id);
      if (list) {
        if (!list.includes(node)) list.push(node);
      } else map.set(input.id, [node]);
    }
  }
  return map;
}

/** Every value of the graph by id: inputs, initializers, node outputs. */
export function allValues(graph: Graph): Map<number, Value> {
  const map = new Map<number, Value>();
  for (const v of graph.inputs) map.set(v.id, v);
  for (const init of graph.initializers) map.set(init.value.id, init.value);
  for (const node of graph.nodes) for (const v of node.outputs) map.set(v.id, v);
  return map;
}
