// Tensor element types the engine supports: names, ONNX TensorProto enum numbers, byte sizes and the
// typed array that holds each one. float16 is stored as raw IEEE half bits in a Uint16Array and bool
// as one byte per element, exactly as ONNX raw_data lays them out (little-endian).
import { EngineError } from './errors';

export const DTYPES = ['float32', 'float16', 'float64', 'int64', 'int32', 'int8', 'uint8', 'bool'] as const;
export type DType = (typeof DTYPES)[number];

export type TensorData = Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;

export interface DTypeInfo {
  /** ONNX TensorProto.DataType enum value. */
  readonly onnx: number;
  readonly bytes: number;
  readonly kind: 'float' | 'int' | 'bool';
  readonly array: { new (length: number): TensorData; new (buffer: ArrayBuffer, byteOffset: number, length: number): TensorData };
}

export const DTYPE_INFO: { readonly [D in DType]: DTypeInfo } = {
  float32: { onnx: 1, bytes: 4, kind: 'float', array: Float32Array },
  uint8: { onnx: 2, bytes: 1, kind: 'int', array: Uint8Array },
  int8: { onnx: 3, bytes: 1, kind: 'int', array: Int8Array },
  int32: { onnx: 6, bytes: 4, kind: 'int', array: Int32Array },
  int64: { onnx: 7, bytes: 8, kind: 'int', array: BigInt64Array },
  bool: { onnx: 9, bytes: 1, kind: 'bool', array: Uint8Array },
  float16: { onnx: 10, bytes: 2, kind: 'float', array: Uint16Array },
  float64: { onnx: 11, bytes: 8, kind: 'float', array: Float64Array },
};

export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && (DTYPES as readonly string[]).includes(value);
}

export function isFloat(dtype: DType): boolean {
  return DTYPE_INFO[dtype].kind === 'float';
}

export function dtypeFromOnnx(code: number): DType {
  const found = DTYPES.find((d) => DTYPE_INFO[d].onnx === code);
  if (!found) {
    throw new EngineError('unsupported-model', `ONNX element type ${code} is not supported; use one of ${DTYPES.join(', ')}.`, { onnxType: code });
  }
  return found;
}

/** The dtype a typed array implies, or undefined where it is ambiguous (Uint8Array: uint8 or bool). */
export function dtypeOfArray(data: TensorData): DType | undefined {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Uint16Array) return 'float16';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Int8Array) return 'int8';
  return undefined;
}

/** True when `data` is the typed array that holds `dtype`. */
export function arrayMatchesDType(data: TensorData, dtype: DType): boolean {
  return data instanceof DTYPE_INFO[dtype].array;
}

/** Builds a typed array of `dtype` from plain numbers (float16 is rounded to nearest even). */
export function makeTensorData(dtype: DType, values: ArrayLike<number>): TensorData {
  const out = new DTYPE_INFO[dtype].array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? 0;
    if (out instanceof BigInt64Array) out[i] = BigInt(Math.trunc(v));
    else if (dtype === 'float16') out[i] = float32ToFloat16Bits(v);
    else if (dtype === 'bool') out[i] = v ? 1 : 0;
    else out[i] = v;
  }
  return out;
}

/** Reads a typed array of `dtype` back as plain numbers (float16 decoded, int64 via Number). */
export function tensorDataToNumbers(dtype: DType, data: TensorData): number[] {
  const out: number[] = new Array<number>(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i] ?? 0;
    out[i] = dtype === 'float16' ? float16BitsToFloat32(Number(v)) : Number(v);
  }
  return out;
}

/** Little-endian bytes of a typed array (a view, no copy; every platform Node runs on is little-endian). */
export function tensorBytes(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function float32ToFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0] ?? 0;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

export function float16BitsToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
