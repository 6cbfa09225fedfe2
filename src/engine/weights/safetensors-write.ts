// safetensors writer: header (8-byte length, JSON padded with spaces to 8 bytes, as the reference
// writes it) then each tensor's bytes in order, streamed one tensor at a time from memory or from a
// TensorSource. Written to a temporary name and renamed, so a crash never leaves a valid-looking
// half file.
import { open, rename, rm } from 'node:fs/promises';
import type { TensorData } from '../core/dtype';
import { tensorBytes } from '../core/dtype';
import { EngineError } from '../core/errors';
import type { TensorSource } from '../ir/graph';
import { SAFETENSORS_ITEM_BYTES, type SafetensorsDType } from './safetensors';

export interface TensorToWrite {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** Raw little-endian bytes, a typed array of the dtype, or a source to stream from. */
  readonly data: Uint8Array | TensorData | TensorSource;
}

function byteLengthOf(t: TensorToWrite): number {
  const d = t.data;
  return ArrayBuffer.isView(d) ? d.byteLength : d.byteLength;
}

/** The header JSON bytes (padded to a multiple of 8) for tensors written in the given order. */
export function encodeHeader(tensors: readonly TensorToWrite[], metadata?: Readonly<Record<string, string>>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header['__metadata__'] = metadata;
  let offset = 0;
  for (const t of tensors) {
    const length = byteLengthOf(t);
    const expected = t.shape.reduce((n, d) => n * d, 1) * SAFETENSORS_ITEM_BYTES[t.dtype];
    if (length !== expected) throw new EngineError('invalid-argument', `tensor '${t.name}': ${length} bytes given for shape [${t.shape.join(', ')}] of ${t.dtype} (needs ${expected}); pass data matching the shape.`, { tensor: t.name });
    if (t.name in header) throw new EngineError('invalid-argument', `tensor '${t.name}' is given twice; names in a safetensors file must be unique.`, { tensor: t.name });
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + length] };
    offset += length;
  }
  const text = JSON.stringify(header);
  const raw = Buffer.from(text, 'utf8');
  const padded = Buffer.alloc(Math.ceil(raw.byteLength / 8) * 8, 0x20);
  raw.copy(padded);
  return padded;
}

async function bytesOf(t: TensorToWrite): Promise<Uint8Array> {
  const d = t.data;
  if (ArrayBuffer.isView(d)) return d instanceof Uint8Array ? d : tensorBytes(d);
  if (d.kind === 'lazy') return d.load();
  const fh = await open(d.path, 'r');
  try {
    const out = new Uint8Array(d.byteLength);
    const { bytesRead } = await fh.read(out, 0, d.byteLength, d.offset);
    if (bytesRead !== d.byteLength) throw new EngineError('corrupt-file', `tensor '${t.name}': ${d.path} ended early (wanted ${d.byteLength} bytes from offset ${d.offset}).`, { tensor: t.name, file: d.path });
    return out;
  } finally {
    await fh.close();
  }
}

/** Writes a safetensors file atomically (temp + rename). */
export async function writeSafetensors(path: string, tensors: readonly TensorToWrite[], metadata?: Readonly<Record<string, string>>): Promise<void> {
  const header = encodeHeader(tensors, metadata);
  const temp = `${path}.tmp-${process.pid}-${Date.now()}`;
  const fh = await open(temp, 'w');
  try {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.byteLength));
    let position = 0;
    for (const part of [len, header]) position += await writeAll(fh, part, position);
    for (const t of tensors) {
      const bytes = await bytesOf(t);
      if (bytes.byteLength !== byteLengthOf(t)) throw new EngineError('corrupt-file', `tensor '${t.name}': its source gave ${bytes.byteLength} bytes, not ${byteLengthOf(t)}.`, { tensor: t.name });
      position += await writeAll(fh, bytes, position);
    }
    await fh.sync();
    await fh.close();
    await rename(temp, path);
  } catch (cause) {
    await fh.close().catch(() => undefined);
    await rm(temp, { force: true });
    if (cause instanceof EngineError) throw cause;
    throw new EngineError('io-failure', `cannot write ${path} (${(cause as NodeJS.ErrnoException).code ?? String(cause)}); check free space and permissions.`, { file: path }, { cause });
  }
}

async function writeAll(fh: Awaited<ReturnType<typeof open>>, bytes: Uint8Array, position: number): Promise<number> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.byteLength - done, position + done);
    done += bytesWritten;
  }
  return done;
}
