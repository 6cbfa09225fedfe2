// Host tensors: the typed arrays the engine passes to and receives from onnxruntime, and their
// conversion to and from onnxruntime tensors. Promises: dims always match data length; float16
// travels as raw IEEE half bits in a Uint16Array; bool as 0/1 in a Uint8Array.
import { Tensor } from 'onnxruntime-node';
import { isDType, type DType } from '../core/dtype';
import { EngineError } from '../core/errors';
import { numel } from '../core/shape';

/** The typed array holding each engine dtype (core/dtype.ts), as onnxruntime takes it. */
export interface RuntimeDataMap {
  float32: Float32Array;
  float64: Float64Array;
  float16: Uint16Array;
  int64: BigInt64Array;
  int32: Int32Array;
  uint8: Uint8Array;
  int8: Int8Array;
  bool: Uint8Array;
}
export type RuntimeDType = keyof RuntimeDataMap & DType;

export interface HostTensor<D extends RuntimeDType = RuntimeDType> {
  readonly dtype: D;
  readonly dims: readonly number[];
  readonly data: RuntimeDataMap[D];
}

/** Builds a host tensor, checking that the data length matches the dims. */
export function hostTensor<D extends RuntimeDType>(dtype: D, dims: readonly number[], data: RuntimeDataMap[D]): HostTensor<D> {
  const expected = numel(dims);
  if (dims.some((d) => !Number.isInteger(d) || d < 0) || data.length !== expected) {
    throw new EngineError('shape-mismatch', `Tensor data has ${data.length} elements but dims [${dims.join(', ')}] need ${expected}; pass data whose length is the product of the dims.`, { dtype, dims: [...dims], length: data.length });
  }
  return { dtype, dims: [...dims], data };
}

/** Converts a host tensor to an onnxruntime tensor (sharing the buffer). */
export function toOrtTensor(name: string, t: HostTensor): Tensor {
  hostTensor(t.dtype, t.dims, t.data);
  try {
    return new Tensor(t.dtype, t.data, t.dims);
  } catch (cause) {
    throw new EngineError('invalid-argument', `Input '${name}' could not be handed to onnxruntime as ${t.dtype}: ${String(cause)}. Pass the typed array that matches the dtype.`, { input: name, dtype: t.dtype, dims: [...t.dims] }, { cause });
  }
}

/** Converts an onnxruntime output tensor to a host tensor (copying nothing it does not have to). */
export function fromOrtTensor(name: string, t: Tensor): HostTensor {
  const dtype = t.type;
  if (!isDType(dtype)) {
    throw new EngineError('runtime-failure', `Output '${name}' has element type ${dtype}, which the engine does not read; cast it to a supported type in the graph.`, { output: name, dtype });
  }
  const raw = t.data as ArrayBufferView;
  const data = dtype === 'float16' && !(raw instanceof Uint16Array)
    ? new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2)
    : raw;
  return hostTensor(dtype, [...t.dims], data as RuntimeDataMap[typeof dtype]);
}
