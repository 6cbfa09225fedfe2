// Test-only protobuf reader: splits a message into (field, wire, value) entries so tests can check
// what the emitter wrote (ir_version, opset_import, value_info names and shapes) without onnx tools.

export interface Field {
  readonly field: number;
  readonly wire: number;
  /** varint value (bigint), fixed32 as float, or bytes for length-delimited fields. */
  readonly value: bigint | number | Uint8Array;
}

export function readFields(bytes: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = bytes[pos++];
      if (byte === undefined) throw new Error('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return result;
      shift += 7n;
    }
  };
  while (pos < bytes.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 5) {
      out.push({ field, wire, value: new DataView(bytes.buffer, bytes.byteOffset + pos, 4).getFloat32(0, true) });
      pos += 4;
    } else if (wire === 2) {
      const len = Number(varint());
      out.push({ field, wire, value: bytes.subarray(pos, pos + len) });
      pos += len;
    } else throw new Error(`unexpected wire type ${wire}`);
  }
  return out;
}

export function sub(fields: readonly Field[], field: number): Field[][] {
  return fields.filter((f) => f.field === field).map((f) => readFields(f.value as Uint8Array));
}

export function str(fields: readonly Field[], field: number): string[] {
  return fields.filter((f) => f.field === field).map((f) => new TextDecoder().decode(f.value as Uint8Array));
}

export function ints(fields: readonly Field[], field: number): number[] {
  return fields.filter((f) => f.field === field).map((f) => Number(BigInt.asIntN(64, f.value as bigint)));
}
