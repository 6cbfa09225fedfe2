// Float conversions between stored weight bytes and what a graph wants: bfloat16 -> float32 (exact:
// the top 16 bits of a float32), float16 <-> float32 (round to nearest even), on raw little-endian
// bytes, one tensor at a time.
import { float16BitsToFloat32, float32ToFloat16Bits } from '../core/dtype';

export type StoredFloat = 'bfloat16' | 'float16' | 'float32';

function view16(bytes: Uint8Array): Uint16Array {
  const b = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
  return new Uint16Array(b.buffer, b.byteOffset, b.byteLength / 2);
}

function view32(bytes: Uint8Array): Float32Array {
  const b = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

function toFloat32(bytes: Uint8Array, from: StoredFloat): Float32Array {
  if (from === 'float32') return view32(bytes);
  const src = view16(bytes);
  const out = new Float32Array(src.length);
  if (from === 'bfloat16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < src.length; i++) bits[i] = (src[i] ?? 0) << 16;
  } else {
    for (let i = 0; i < src.length; i++) out[i] = float16BitsToFloat32(src[i] ?? 0);
  }
  return out;
}

/** Converts a tensor's raw bytes from one float encoding to another (a copy unless from === to). */
export function convertFloatBytes(bytes: Uint8Array, from: StoredFloat, to: 'float32' | 'float16'): Uint8Array {
  if (from === to) return bytes;
  const f32 = toFloat32(bytes, from);
  if (to === 'float32') return new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength);
  const half = new Uint16Array(f32.length);
  for (let i = 0; i < f32.length; i++) half[i] = float32ToFloat16Bits(f32[i] ?? 0);
  return new Uint8Array(half.buffer);
}

/** float32 -> bfloat16 bits, round to nearest even (NaN kept quiet): for writing BF16 test files. */
export function float32ToBFloat16Bits(value: number): number {
  const bits = new Uint32Array(new Float32Array([value]).buffer)[0] ?? 0;
  if ((bits & 0x7fffffff) > 0x7f800000) return (bits >>> 16) | 0x40;
  const rounding = 0x7fff + ((bits >>> 16) & 1);
  return ((bits + rounding) >>> 16) & 0xffff;
}
