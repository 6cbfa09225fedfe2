// Writes and reads NumPy .npy (version 1.0) files for prepared-cache tensors: little-endian
// float32 or uint8, C order. Readable by numpy.load and by this module.
import { EngineError } from '../core/errors';

export type NpyDtype = 'float32' | 'uint8';
const DESCR: Record<NpyDtype, string> = { float32: '<f4', uint8: '|u1' };
const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);

export interface NpyTensor {
  readonly dtype: NpyDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array | Uint8Array;
}

export function encodeNpy(t: NpyTensor): Buffer {
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let header = `{'descr': '${DESCR[t.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = MAGIC.length + 2 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const head = Buffer.alloc(MAGIC.length + 2);
  MAGIC.copy(head);
  head.writeUInt16LE(header.length, MAGIC.length);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)]);
}

export function decodeNpy(bytes: Buffer, file = '<memory>'): NpyTensor {
  if (!bytes.subarray(0, 6).equals(MAGIC.subarray(0, 6))) throw new EngineError('corrupt-file', `${file} is not a .npy file; delete it so the cache rebuilds it.`, { file });
  const length = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + length).toString('latin1');
  const descr = /'descr': '([^']+)'/.exec(header)?.[1];
  const dims = /'shape': \(([^)]*)\)/.exec(header)?.[1];
  const dtype = (Object.keys(DESCR) as NpyDtype[]).find((d) => DESCR[d] === descr);
  if (!dtype || dims === undefined) throw new EngineError('corrupt-file', `${file} has an unsupported .npy header; delete it so the cache rebuilds it.`, { file, header });
  const shape = dims.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const body = Buffer.from(bytes.subarray(10 + length));
  const data = dtype === 'float32' ? new Float32Array(body.buffer, body.byteOffset, body.byteLength / 4) : new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (data.length !== shape.reduce((a, b) => a * b, 1)) throw new EngineError('corrupt-file', `${file} is truncated; delete it so the cache rebuilds it.`, { file });
  return { dtype, shape, data };
}
