// NumPy .npy (format 1.0) writer for the oracle bridge: host tensors go to disk exactly as numpy's
// `np.load` reads them (little-endian, C order), so the Python side compares bit-identical inputs.
import type { HostTensor, RuntimeDType } from '../../../src/engine/runtime';

const DESCR: { readonly [D in RuntimeDType]: string } = {
  float32: '<f4', float64: '<f8', float16: '<f2', int64: '<i8', int32: '<i4', uint8: '|u1', int8: '|i1', bool: '|b1',
};

/** Encodes one tensor as the bytes of a .npy file. */
export function encodeNpy(t: HostTensor): Uint8Array {
  const shape = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`;
  let header = `{'descr': '${DESCR[t.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const body = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out = new Uint8Array(10 + header.length + body.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(body, 10 + header.length);
  return out;
}
