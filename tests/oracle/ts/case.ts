// The shape of an oracle case: a composite function written with GraphBuilder, the inputs it runs
// on (seeded, so both sides see the same numbers) and the inputs to differentiate. The harness
// (emit.ts) closes it into a scalar loss sum(f(x) * cotangent), adds the gradients with autodiff and
// records everything; tests/oracle/refs.py holds the PyTorch twin of each case under the same name.
import type { GraphBuilder, Value } from '../../../src/engine/ir';
import type { HostTensor } from '../../../src/engine/runtime';
import { hostTensor } from '../../../src/engine/runtime';
import { Random } from '../../../src/engine/train/random';

export type FloatDType = 'float32' | 'float64';

export interface OracleCase {
  readonly name: string;
  /** float64 unless the CPU provider lacks a float64 kernel for one of its ops (say which in `why32`). */
  readonly dtype: FloatDType;
  readonly why32?: string;
  /** Input tensors by graph-input name. */
  inputs(make: InputMaker): Record<string, HostTensor>;
  /** Inputs whose gradients are checked. */
  readonly wrt: readonly string[];
  /** The function: graph inputs by name (as from `inputs`) to one output tensor. */
  forward(b: GraphBuilder, x: Readonly<Record<string, Value>>): Value;
}

/** Makes seeded float tensors of the case's dtype. */
export class InputMaker {
  private readonly rand: Random;

  constructor(readonly dtype: FloatDType, seed: number) {
    this.rand = new Random(seed);
  }

  of(dims: readonly number[], values: readonly number[]): HostTensor {
    const data = this.dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
    return hostTensor(this.dtype, dims, data);
  }

  normal(dims: readonly number[], std = 1, mean = 0): HostTensor {
    return this.of(dims, this.rand.normals(count(dims), std, mean));
  }

  uniform(dims: readonly number[], lo: number, hi: number): HostTensor {
    return this.of(dims, this.rand.uniforms(count(dims), lo, hi));
  }

  /** [n, classes] one-hot rows with seeded labels. */
  oneHot(n: number, classes: number): HostTensor {
    const values = new Array<number>(n * classes).fill(0);
    for (let i = 0; i < n; i++) values[i * classes + this.rand.int(classes)] = 1;
    return this.of([n, classes], values);
  }
}

function count(dims: readonly number[]): number {
  return dims.reduce((a, d) => a * d, 1);
}
