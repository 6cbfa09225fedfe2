// Lazy safetensors reader: reads only the 8-byte header length and the JSON header, validates it
// (dtypes, shape x itemsize == span, offsets in bounds, contiguous and non-overlapping, file length
// exact) and exposes each tensor as a TensorSource by absolute file offset, so weights are never
// gathered whole in memory. BF16 (and any dtype conversion asked for) becomes a 'lazy' source that
// converts when loaded. Every failure names the file and, where there is one, the tensor.
import { open, stat } from 'node:fs/promises';
import type { DType, TensorData } from '../core/dtype';
import { DTYPE_INFO } from '../core/dtype';
import { EngineError } from '../core/errors';
import type { TensorSource } from '../ir/graph';
import { convertFloatBytes } from './convert';

/** safetensors dtype names this reader accepts, with the engine dtype each holds. */
export const SAFETENSORS_DTYPES = { F32: 'float32', F16: 'float16', BF16: 'float32', F64: 'float64', I64: 'int64', I32: 'int32', I8: 'int8', U8: 'uint8', BOOL: 'bool' } as const;
export type SafetensorsDType = keyof typeof SAFETENSORS_DTYPES;
export const SAFETENSORS_ITEM_BYTES: { readonly [K in SafetensorsDType]: number } = { F32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, I32: 4, I8: 1, U8: 1, BOOL: 1 };

/** The header must fit in 100 MB (the limit of the reference implementation). */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** Absolute byte offset of the tensor's data in the file. */
  readonly offset: number;
  readonly byteLength: number;
}

export interface SafetensorsFile {
  readonly path: string;
  readonly fileSize: number;
  /** Absolute offset of the data buffer (8 + header length). */
  readonly dataStart: number;
  readonly metadata: Readonly<Record<string, string>>;
  /** Tensors by name, in data order. */
  readonly tensors: ReadonlyMap<string, SafetensorsEntry>;
}

/** How float tensors should arrive: as stored ('native', BF16 still becomes float32), or cast. */
export type FloatTarget = 'native' | 'float32' | 'float16';

export interface SourcedTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly source: TensorSource;
}

function corrupt(path: string, what: string, tensor?: string): EngineError {
  const where = tensor === undefined ? path : `${path}, tensor '${tensor}'`;
  return new EngineError('corrupt-file', `${where}: ${what}. The file is damaged or incomplete; re-download or re-export it.`, tensor === undefined ? { file: path } : { file: path, tensor });
}

/** Opens a safetensors file and validates its header; reads nothing but the header. */
export async function openSafetensors(path: string): Promise<SafetensorsFile> {
  const fileSize = await sizeOf(path);
  if (fileSize < 8) throw corrupt(path, `the file is ${fileSize} bytes, too short for a safetensors header (a half-downloaded file?)`);
  const fh = await open(path, 'r');
  let header: Uint8Array;
  try {
    const lenBuf = Buffer.alloc(8);
    await fh.read(lenBuf, 0, 8, 0);
    const headerLength = lenBuf.readBigUInt64LE(0);
    if (headerLength > BigInt(MAX_HEADER_BYTES)) throw corrupt(path, `the header claims ${headerLength} bytes (over the 100 MB limit): this is not a safetensors file`);
    const n = Number(headerLength);
    if (8 + n > fileSize) throw corrupt(path, `the header claims ${n} bytes but the file has only ${fileSize - 8} after the length (truncated, or not a safetensors file)`);
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 8);
    if (bytesRead !== n) throw corrupt(path, `read ${bytesRead} of ${n} header bytes`);
    header = buf;
  } finally {
    await fh.close();
  }
  return parseHeader(path, header, fileSize);
}

async function sizeOf(path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new EngineError('invalid-argument', `${path} is not a file; give the path of a .safetensors file.`, { file: path });
    return s.size;
  } catch (cause) {
    if (cause instanceof EngineError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new EngineError('not-found', `${path} does not exist; check the path of the weights file.`, { file: path }, { cause });
    throw new EngineError('io-failure', `cannot read ${path} (${code ?? String(cause)}); check its permissions.`, { file: path }, { cause });
  }
}

/** Validates a header against the file size; exported for tests of lying headers. */
export function parseHeader(path: string, header: Uint8Array, fileSize: number): SafetensorsFile {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(header));
  } catch (cause) {
    throw corrupt(path, `the header is not valid UTF-8 JSON (${(cause as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw corrupt(path, 'the header is not a JSON object');
  const dataStart = 8 + header.byteLength;
  const metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      Object.assign(metadata, parseMetadata(path, value));
      continue;
    }
    entries.push(parseEntry(path, name, value, dataStart));
  }
  checkLayout(path, entries, dataStart, fileSize);
  return { path, fileSize, dataStart, metadata, tensors: new Map(entries.map((e) => [e.name, e])) };
}

function parseMetadata(path: string, value: unknown): Record<string, string> {
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw corrupt(path, '__metadata__ is not an object of strings');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string') throw corrupt(path, `__metadata__.${k} is not a string`);
    out[k] = v;
  }
  return out;
}

function parseEntry(path: string, name: string, value: unknown, dataStart: number): SafetensorsEntry {
  if (value === null || typeof value !== 'object') throw corrupt(path, 'its header entry is not an object', name);
  const v = value as Record<string, unknown>;
  const dtype = v['dtype'];
  if (typeof dtype !== 'string' || !(dtype in SAFETENSORS_DTYPES)) {
    throw new EngineError('unsupported-model', `${path}, tensor '${name}': dtype ${String(dtype)} is not supported (use F32, F16, BF16, or I64/I32 for ids); convert the checkpoint to float16 or float32.`, { file: path, tensor: name, dtype });
  }
  const shape = v['shape'];
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) throw corrupt(path, `shape ${JSON.stringify(shape)} is not a list of non-negative integers`, name);
  const offsets = v['data_offsets'];
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)) throw corrupt(path, `data_offsets ${JSON.stringify(offsets)} is not a pair of non-negative integers`, name);
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw corrupt(path, `data_offsets [${begin}, ${end}] end before they begin`, name);
  const dims = shape as number[];
  const expected = dims.reduce((n, d) => n * d, 1) * SAFETENSORS_ITEM_BYTES[dtype as SafetensorsDType];
  if (expected !== end - begin) throw corrupt(path, `shape [${dims.join(', ')}] of ${dtype} needs ${expected} bytes but data_offsets span ${end - begin}`, name);
  return { name, dtype: dtype as SafetensorsDType, shape: dims, offset: dataStart + begin, byteLength: end - begin };
}

/** The data buffer must be covered exactly: no holes, no overlaps, ending at the end of the file. */
function checkLayout(path: string, entries: SafetensorsEntry[], dataStart: number, fileSize: number): void {
  entries.sort((a, b) => a.offset - b.offset || a.byteLength - b.byteLength);
  let cursor = dataStart;
  for (const e of entries) {
    if (e.offset < cursor) throw corrupt(path, `its data (bytes ${e.offset - dataStart}..${e.offset - dataStart + e.byteLength}) overlaps the previous tensor's`, e.name);
    if (e.offset > cursor) throw corrupt(path, `there is a hole of ${e.offset - cursor} bytes before its data`, e.name);
    cursor = e.offset + e.byteLength;
  }
  if (cursor > fileSize) {
    const last = entries[entries.length - 1];
    throw corrupt(path, `the header needs ${cursor} bytes but the file has ${fileSize} (truncated: a half-downloaded file?)`, last?.name);
  }
  if (cursor < fileSize) throw corrupt(path, `${fileSize - cursor} bytes after the last tensor are not described by the header`);
}

/** The engine dtype a tensor arrives in for a float target. */
export function targetDType(dtype: SafetensorsDType, target: FloatTarget): DType {
  const native: DType = SAFETENSORS_DTYPES[dtype];
  if (target === 'native' || DTYPE_INFO[native].kind !== 'float' || dtype === 'F64') return native;
  return target;
}

/** A tensor as a TensorSource: by file offset when no conversion is needed, else 'lazy'. */
export function tensorSource(file: SafetensorsFile, name: string, target: FloatTarget = 'native'): SourcedTensor {
  return entrySource(file.path, entryOf(file, name), target);
}

/** The source of any byte range described like an entry (also renamed, reshaped or row-sliced ones). */
export function entrySource(path: string, e: SafetensorsEntry, target: FloatTarget = 'native'): SourcedTensor {
  const dtype = targetDType(e.dtype, target);
  const storedAs: DType = e.dtype === 'BF16' ? 'float32' : SAFETENSORS_DTYPES[e.dtype];
  if (e.dtype !== 'BF16' && dtype === storedAs) {
    return { dtype, shape: e.shape, source: { kind: 'file', path, offset: e.offset, byteLength: e.byteLength } };
  }
  const count = e.byteLength / SAFETENSORS_ITEM_BYTES[e.dtype];
  const from = e.dtype === 'BF16' ? 'bfloat16' : e.dtype === 'F16' ? 'float16' : 'float32';
  const to = dtype === 'float16' ? 'float16' : 'float32';
  const load = async (): Promise<Uint8Array> => convertFloatBytes(await readEntryBytes(path, e), from, to);
  return { dtype, shape: e.shape, source: { kind: 'lazy', byteLength: count * DTYPE_INFO[dtype].bytes, load } };
}

export function entryOf(file: SafetensorsFile, name: string): SafetensorsEntry {
  const e = file.tensors.get(name);
  if (!e) throw new EngineError('not-found', `${file.path} has no tensor '${name}'; check the checkpoint matches the model.`, { file: file.path, tensor: name });
  return e;
}

/** Reads one tensor's stored bytes; a file that shrank since it was opened names the tensor. */
export async function readEntryBytes(path: string, e: SafetensorsEntry): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const out = new Uint8Array(e.byteLength);
    let done = 0;
    while (done < e.byteLength) {
      const { bytesRead } = await fh.read(out, done, e.byteLength - done, e.offset + done);
      if (bytesRead === 0) throw corrupt(path, `the file ended after ${done} of ${e.byteLength} bytes (it changed since it was opened)`, e.name);
      done += bytesRead;
    }
    return out;
  } finally {
    await fh.close();
  }
}

/** Loads one tensor into memory as a typed array (for tests, small tensors and conversions). */
export async function readTensor(file: SafetensorsFile, name: string, target: FloatTarget = 'native'): Promise<LoadedTensor> {
  return readEntry(file.path, entryOf(file, name), target);
}

export interface LoadedTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

/** Loads any entry-like byte range into memory in the target dtype. */
export async function readEntry(path: string, e: SafetensorsEntry, target: FloatTarget = 'native'): Promise<LoadedTensor> {
  const t = entrySource(path, e, target);
  const bytes = t.source.kind === 'lazy' ? await t.source.load() : await readEntryBytes(path, e);
  const Ctor = DTYPE_INFO[t.dtype].array;
  const aligned = bytes.byteOffset % DTYPE_INFO[t.dtype].bytes === 0 ? bytes : bytes.slice();
  return { dtype: t.dtype, shape: t.shape, data: new Ctor(aligned.buffer as ArrayBuffer, aligned.byteOffset, aligned.byteLength / DTYPE_INFO[t.dtype].bytes) };
}
