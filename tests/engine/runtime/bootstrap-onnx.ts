// Bootstrap only: hand-encodes tiny single-node ONNX models so the runtime can be tested before and
// independently of the engine's emitter (src/engine/onnx). Knows just enough protobuf for that.

const ELEM: Record<string, number> = { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float16: 10, float64: 11 };

function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt(n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}
const key = (field: number, wire: number): number[] => varint((field << 3) | wire);
const vint = (field: number, n: number): number[] => [...key(field, 0), ...varint(n)];
const bytes = (field: number, b: number[]): number[] => [...key(field, 2), ...varint(b.length), ...b];
const str = (field: number, s: string): number[] => bytes(field, [...new TextEncoder().encode(s)]);

export interface BootstrapIo { name: string; dtype: string; dims: (number | string)[] }
export interface BootstrapNode { op: string; inputs: string[]; outputs: string[]; name?: string; intAttrs?: Record<string, number> }

function valueInfo(io: BootstrapIo): number[] {
  const dims = io.dims.flatMap((d) => bytes(1, typeof d === 'number' ? vint(1, d) : str(2, d)));
  const tensorType = [...vint(1, ELEM[io.dtype] ?? 0), ...bytes(2, dims)];
  return [...str(1, io.name), ...bytes(2, bytes(1, tensorType))];
}

function node(n: BootstrapNode): number[] {
  const attrs = Object.entries(n.intAttrs ?? {}).flatMap(([k, v]) => bytes(5, [...str(1, k), ...vint(3, v), ...vint(20, 2)]));
  return [...n.inputs.flatMap((i) => str(1, i)), ...n.outputs.flatMap((o) => str(2, o)), ...str(3, n.name ?? n.op), ...str(4, n.op), ...attrs];
}

/** A model with the given nodes, graph inputs and outputs, opset 17, IR version 8. */
export function bootstrapModel(nodes: BootstrapNode[], inputs: BootstrapIo[], outputs: BootstrapIo[]): Uint8Array {
  const graph = [
    ...nodes.flatMap((n) => bytes(1, node(n))),
    ...str(2, 'bootstrap'),
    ...inputs.flatMap((i) => bytes(11, valueInfo(i))),
    ...outputs.flatMap((o) => bytes(12, valueInfo(o))),
  ];
  return new Uint8Array([...vint(1, 8), ...str(2, 'aptp-test'), ...bytes(7, graph), ...bytes(8, [...str(1, ''), ...vint(2, 17)])]);
}
