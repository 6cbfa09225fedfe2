// Public surface of the ONNX layer: emit a graph to bytes or write it (with external data) to disk.
export { emitModel, encodeModel, PROTOBUF_LIMIT } from './model';
export type { EmitOptions, InitializerPlacement } from './model';
export { writeModel } from './write';
export type { WriteOptions, WrittenModel } from './write';
export { DEFAULT_OPSET, MIN_OPSET, MAX_OPSET, irVersionFor, lowerNode } from './opset';
export type { LoweredNode, OnnxAttr } from './opset';
export { ProtoWriter } from './protobuf';
export { externalDataLocations } from './external-data';
