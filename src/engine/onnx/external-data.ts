// Reads back which external data files an ONNX model's initializers live in: a minimal protobuf
// reader that walks ModelProto.graph (7) -> GraphProto.initializer (5) -> TensorProto.external_data
// (13) entries and returns every distinct 'location'. The runtime's optimized-model cache uses it
// to key a cached graph on the identity of the weight files, not just the model bytes.
import { EngineError } from '../core/errors';

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_EXTERNAL_DATA = 13;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;

interface Field { readonly number: number; readonly wire: number; readonly start: number; readonly end: number }

function readVarint(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length && i < at + 10; i++) {
    const byte = bytes[i] ?? 0;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) return { value, next: i + 1 };
  }
  throw new EngineError('corrupt-file', `Malformed ONNX model: a varint at byte ${at} does not end; the model file is truncated or not ONNX.`, { at });
}

/** The fields of one message spanning bytes[start, end), in order. */
function fields(bytes: Uint8Array, start: number, end: number): Field[] {
  const out: Field[] = [];
  let at = start;
  while (at < end) {
    const key = readVarint(bytes, at);
    const wire = key.value % 8;
    const number = Math.floor(key.value / 8);
    let from = key.next;
    let to: number;
    if (wire === WIRE_VARINT) to = readVarint(bytes, from).next;
    else if (wire === WIRE_FIXED64) to = from + 8;
    else if (wire === WIRE_FIXED32) to = from + 4;
    else if (wire === WIRE_LEN) {
      const len = readVarint(bytes, from);
      from = len.next;
      to = from + len.value;
    } else throw new EngineError('corrupt-file', `Malformed ONNX model: wire type ${wire} at byte ${at}; the model file is damaged or not ONNX.`, { at, wire });
    if (to > end) throw new EngineError('corrupt-file', `Malformed ONNX model: field ${number} at byte ${at} runs past its message; the model file is truncated.`, { at, field: number });
    out.push({ number, wire, start: from, end: to });
    at = to;
  }
  return out;
}

const nested = (bytes: Uint8Array, parent: Field, number: number): Field[] => fields(bytes, parent.start, parent.end).filter((f) => f.number === number && f.wire === WIRE_LEN);

/** Distinct external data file names (relative to the model's folder) of the model's initializers. */
export function externalDataLocations(model: Uint8Array): string[] {
  const text = new TextDecoder();
  const locations = new Set<string>();
  const root: Field = { number: 0, wire: WIRE_LEN, start: 0, end: model.length };
  for (const graph of nested(model, root, MODEL_GRAPH)) {
    for (const tensor of nested(model, graph, GRAPH_INITIALIZER)) {
      for (const entry of nested(model, tensor, TENSOR_EXTERNAL_DATA)) {
        const parts = fields(model, entry.start, entry.end);
        const key = parts.find((f) => f.number === ENTRY_KEY);
        const value = parts.find((f) => f.number === ENTRY_VALUE);
        if (key && value && text.decode(model.subarray(key.start, key.end)) === 'location') locations.add(text.decode(model.subarray(value.start, value.end)));
      }
    }
  }
  return [...locations];
}
