// NumPy .npy (format 1.x) reader for the SD components oracle: the float32 and int64 C-order arrays
// the Python side writes with np.save become host tensors for onnxruntime.
import { hostTensor, type HostTensor } from '../../../src/engine/runtime';

export function decodeNpy(bytes: Uint8Array): HostTensor {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6] ?? 1;
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '';
  if (/'fortran_order':\s*True/.test(header)) throw new Error('npy: fortran order is not supported');
  const dims = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const body = bytes.slice(start + headerLen);
  if (descr === '<f4') return hostTensor('float32', dims, new Float32Array(body.buffer, body.byteOffset, body.byteLength / 4));
  if (descr === '<i8') return hostTensor('int64', dims, new BigInt64Array(body.buffer, body.byteOffset, body.byteLength / 8));
  throw new Error(`npy: dtype ${descr ?? '?'} is not supported (save float32 or int64)`);
}
