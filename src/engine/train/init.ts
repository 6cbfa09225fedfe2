// Parameter initialisation as host tensors: PyTorch's defaults for Linear and Conv (Kaiming-uniform
// with a = sqrt(5), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias), ones and zeros.
import { hostTensor, type HostTensor } from '../runtime';
import type { Random } from './random';

export type ParamDType = 'float32' | 'float64';

export function fromNumbers(dtype: ParamDType, dims: readonly number[], values: readonly number[]): HostTensor {
  return dtype === 'float64' ? hostTensor('float64', dims, Float64Array.from(values)) : hostTensor('float32', dims, Float32Array.from(values));
}

/** U(-1/sqrt(fanIn), 1/sqrt(fanIn)) of shape `dims`. */
export function uniformFanIn(rand: Random, dtype: ParamDType, dims: readonly number[], fanIn: number): HostTensor {
  const bound = 1 / Math.sqrt(fanIn);
  return fromNumbers(dtype, dims, rand.uniforms(dims.reduce((a, d) => a * d, 1), -bound, bound));
}

export function filled(dtype: ParamDType, dims: readonly number[], value: number): HostTensor {
  return fromNumbers(dtype, dims, new Array<number>(dims.reduce((a, d) => a * d, 1)).fill(value));
}
