// A small protobuf writer (wire format): varints, 64-bit varints, fixed32 floats, strings,
// repeated ints/floats and nested messages. A message is a list of byte chunks with a known
// length, so nesting never copies a large payload (raw tensor bytes are referenced, not copied)
// and a model can be streamed to a file chunk by chunk.

const WIRE_VARINT = 0;
const WIRE_FIXED32 = 5;
const WIRE_LEN = 2;
const textEncoder = new TextEncoder();

export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private scratch = new Uint8Array(256);
  private used = 0;
  private flushed = 0;

  /** Total encoded length in bytes. */
  get length(): number {
    return this.flushed + this.used;
  }

  private ensure(extra: number): void {
    if (this.used + extra <= this.scratch.length) return;
    this.flush();
    if (extra > this.scratch.length) this.scratch = new Uint8Array(Math.max(extra, 256));
  }

  private flush(): void {
    if (this.used === 0) return;
    this.chunks.push(this.scratch.slice(0, this.used));
    this.flushed += this.used;
    this.used = 0;
  }

  private rawVarint(value: number | bigint): void {
    this.ensure(10);
    if (typeof value === 'number' && value >= 0 && value < 2 ** 31) {
      let n = value;
      while (n > 0x7f) {
        this.scratch[this.used++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
      this.scratch[this.used++] = n;
      return;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    while (v > 0x7fn) {
      this.scratch[this.used++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.scratch[this.used++] = Number(v);
  }

  private tag(field: number, wire: number): void {
    this.rawVarint((field << 3) | wire);
  }

  /** int32/int64/enum/bool field (negative numbers as 10-byte two's complement, as protobuf does). */
  int(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.rawVarint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    this.ensure(4);
    new DataView(this.scratch.buffer).setFloat32(this.used, value, true);
    this.used += 4;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** Length-delimited bytes; large payloads are referenced, not copied. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.rawVarint(value.byteLength);
    if (value.byteLength <= 64) {
      this.ensure(value.byteLength);
      this.scratch.set(value, this.used);
      this.used += value.byteLength;
    } else {
      this.flush();
      this.chunks.push(value);
      this.flushed += value.byteLength;
    }
    return this;
  }

  /** Repeated varints, one field each (onnx.proto is proto2 and declares them unpacked). */
  repeatedInts(field: number, values: readonly (number | bigint)[]): this {
    for (const v of values) this.int(field, v);
    return this;
  }

  /** Repeated floats, one fixed32 field each. */
  repeatedFloats(field: number, values: readonly number[]): this {
    for (const v of values) this.float(field, v);
    return this;
  }

  /** A nested message; its chunks are adopted, not copied. */
  message(field: number, child: ProtoWriter): this {
    child.flush();
    this.tag(field, WIRE_LEN);
    this.rawVarint(child.length);
    this.flush();
    for (const c of child.chunks) this.chunks.push(c);
    this.flushed += child.length;
    return this;
  }

  /** The encoded chunks in order (write them one after another to stream the message). */
  parts(): readonly Uint8Array[] {
    this.flush();
    return this.chunks;
  }

  /** The whole message in one buffer. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const c of this.parts()) {
      out.set(c, offset);
      offset += c.byteLength;
    }
    return out;
  }
}
