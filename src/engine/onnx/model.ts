// Encodes a verified IR graph as an ONNX ModelProto: opset-lowered nodes, named value_info for every
// value (shapes annotated, as Netron shows them), graph inputs/outputs, and initializers either
// inline (raw_data) or as external-data references (location/offset/length) decided by the caller.
// Field numbers follow onnx/onnx.proto; this folder is the only code that knows them.
import { DTYPE_INFO, tensorBytes } from '../core/dtype';
import { EngineError } from '../core/errors';
import type { Graph, Initializer, TensorType, Value } from '../ir/graph';
import { isTensorSource } from '../ir/graph';
import type { ConstTensor } from '../ir/ops';
import { verifyGraph } from '../ir/verifier';
import { DEFAULT_OPSET, MAX_OPSET, MIN_OPSET, irVersionFor, lowerNode } from './opset';
import type { AnyNode, LowerCtx, OnnxAttr } from './opset';
import { ProtoWriter } from './protobuf';

export interface EmitOptions {
  /** Target default-domain opset (13..21); 17 unless told. */
  readonly opset?: number;
  readonly producerVersion?: string;
  readonly docString?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export type InitializerPlacement =
  | { readonly kind: 'inline'; readonly bytes: Uint8Array }
  | { readonly kind: 'external'; readonly location: string; readonly offset: number; readonly length: number };

const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

function tensorProto(name: string, dtype: TensorType['dtype'], shape: readonly number[], place: InitializerPlacement): ProtoWriter {
  const w = new ProtoWriter().repeatedInts(1, shape).int(2, DTYPE_INFO[dtype].onnx).string(8, name);
  if (place.kind === 'inline') return w.bytes(9, place.bytes);
  const entry = (key: string, value: string): ProtoWriter => new ProtoWriter().string(1, key).string(2, value);
  w.message(13, entry('location', place.location));
  w.message(13, entry('offset', String(place.offset)));
  w.message(13, entry('length', String(place.length)));
  return w.int(14, 1);
}

function constProto(name: string, t: ConstTensor): ProtoWriter {
  return tensorProto(name, t.dtype, t.shape, { kind: 'inline', bytes: tensorBytes(t.data) });
}

function attributeProto(attr: OnnxAttr, owner: string): ProtoWriter {
  const w = new ProtoWriter().string(1, attr.name).int(20, ATTR_TYPE[attr.kind]);
  switch (attr.kind) {
    case 'int': return w.int(3, attr.value);
    case 'float': return w.float(2, attr.value);
    case 'string': return w.string(4, attr.value);
    case 'ints': return w.repeatedInts(8, attr.value);
    case 'floats': return w.repeatedFloats(7, attr.value);
    case 'tensor': return w.message(5, constProto(`${owner}/${attr.name}`, attr.value));
  }
}

function valueInfo(name: string, type: TensorType): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of type.shape) shape.message(1, new ProtoWriter().int(1, d));
  const tensorType = new ProtoWriter().int(1, DTYPE_INFO[type.dtype].onnx).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

function nodeProto(name: string, opType: string, inputs: readonly string[], outputs: readonly string[], attrs: readonly OnnxAttr[]): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of inputs) w.string(1, i);
  for (const o of outputs) w.string(2, o);
  w.string(3, name).string(4, opType);
  for (const a of attrs) w.message(5, attributeProto(a, name));
  return w;
}

/** Hands out unique names for the constant inputs that lowering creates. */
class ConstantPool implements LowerCtx {
  readonly tensors: { name: string; tensor: ConstTensor }[] = [];
  private readonly taken: Set<string>;

  constructor(readonly opset: number, graph: Graph) {
    this.taken = new Set<string>([...graph.inputs.map((v) => v.name), ...graph.initializers.map((i) => i.value.name), ...graph.outputs.map((o) => o.name)]);
    for (const n of graph.nodes) for (const v of n.outputs) this.taken.add(v.name);
  }

  constant(node: AnyNode, suffix: string, tensor: ConstTensor): string {
    let name = `${node.name}/${suffix}`;
    for (let i = 1; this.taken.has(name); i++) name = `${node.name}/${suffix}_${i}`;
    this.taken.add(name);
    this.tensors.push({ name, tensor });
    return name;
  }
}

function checkOpset(opset: number): void {
  if (!Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new EngineError('invalid-argument', `Opset ${opset} is not supported; pick an opset from ${MIN_OPSET} to ${MAX_OPSET} (default ${DEFAULT_OPSET}).`, { opset });
  }
}

function graphProto(graph: Graph, opset: number, place: (init: Initializer) => InitializerPlacement): ProtoWriter {
  const pool = new ConstantPool(opset, graph);
  const w = new ProtoWriter();
  const outputNames = new Set(graph.outputs.map((o) => o.name));
  const intermediates: Value[] = [];
  for (const node of graph.nodes) {
    const lowered = lowerNode(node, pool);
    w.message(1, nodeProto(node.name, lowered.opType, lowered.inputs, node.outputs.map((v) => v.name), lowered.attrs));
    for (const v of node.outputs) if (!outputNames.has(v.name)) intermediates.push(v);
  }
  for (const out of graph.outputs) {
    if (out.name !== out.value.name) w.message(1, nodeProto(`output/${out.name}`, 'Identity', [out.value.name], [out.name], []));
  }
  w.string(2, graph.name);
  for (const init of graph.initializers) w.message(5, tensorProto(init.value.name, init.value.type.dtype, init.value.type.shape, place(init)));
  for (const c of pool.tensors) w.message(5, constProto(c.name, c.tensor));
  for (const v of graph.inputs) w.message(11, valueInfo(v.name, v.type));
  for (const out of graph.outputs) w.message(12, valueInfo(out.name, out.value.type));
  for (const v of intermediates) w.message(13, valueInfo(v.name, v.type));
  return w;
}

/** The ModelProto of `graph` (verified first); `place` decides where each initializer's bytes go. */
export function encodeModel(graph: Graph, options: EmitOptions, place: (init: Initializer) => InitializerPlacement): ProtoWriter {
  const opset = options.opset ?? DEFAULT_OPSET;
  checkOpset(opset);
  verifyGraph(graph);
  const model = new ProtoWriter()
    .int(1, irVersionFor(opset))
    .string(2, 'aptp-studio')
    .string(3, options.producerVersion ?? '0.1.0');
  if (options.docString) model.string(6, options.docString);
  model.message(7, graphProto(graph, opset, place));
  model.message(8, new ProtoWriter().string(1, '').int(2, opset));
  for (const [key, value] of Object.entries(options.metadata ?? {})) model.message(14, new ProtoWriter().string(1, key).string(2, value));
  return model;
}

/** The whole model as bytes, every initializer inline; initializers must be in memory. */
export function emitModel(graph: Graph, options: EmitOptions = {}): Uint8Array {
  const model = encodeModel(graph, options, (init) => {
    if (isTensorSource(init.data)) {
      throw new EngineError('invalid-argument', `Initializer '${init.value.name}' is a ${init.data.kind} source; write the model to disk with writeModel to stream it.`, { initializer: init.value.name });
    }
    return { kind: 'inline', bytes: tensorBytes(init.data) };
  });
  if (model.length >= PROTOBUF_LIMIT) {
    throw new EngineError('invalid-argument', `Model '${graph.name}' is ${model.length} bytes, over protobuf's 2 GiB limit; write it with writeModel, which moves initializers to external data.`, { graph: graph.name, bytes: model.length });
  }
  return model.finish();
}

/** Protobuf messages cannot exceed 2 GiB. */
export const PROTOBUF_LIMIT = 2 ** 31 - 1;
