// The shape of a benchmark: a block built with GraphBuilder (weights as initializers, input 'x',
// output 'y'), its analytic forward FLOPs, and the name and config of the identical PyTorch module
// that bench/torch_bench.py builds, so both sides run the same shapes on the same threads.
import { GraphBuilder, type Graph, type Value } from '../src/engine/ir';
import type { HostTensor } from '../src/engine/runtime';
import { Random, fromNumbers, uniformFanIn } from '../src/engine/train';

export interface BenchCase {
  readonly name: string;
  /** FLOPs of one forward pass, 2 per multiply-add of the matmuls and convolutions. */
  readonly forwardFlops: number;
  /** Forward graph: input 'x', output 'y', trainable weights as initializers. */
  build(): Graph;
  /** The input fed to 'x'. */
  input(): HostTensor;
  /** bench/torch_bench.py's module name and its shape config. */
  readonly torch: { readonly module: string; readonly config: Readonly<Record<string, number>> };
}

/** A builder whose weights are seeded initializers (PyTorch default init bounds). */
export class WeightedBuilder extends GraphBuilder {
  private readonly rand = new Random(1);

  weight(name: string, shape: readonly number[], fanIn: number): Value {
    return this.initializer(name, uniformFanIn(this.rand, 'float32', shape, fanIn).data, shape);
  }

  ones(name: string, n: number): Value {
    return this.initializer(name, new Float32Array(n).fill(1), [n]);
  }

  zeros(name: string, n: number): Value {
    return this.initializer(name, new Float32Array(n), [n]);
  }
}

export function randomInput(dims: readonly number[]): HostTensor {
  const rand = new Random(2);
  return fromNumbers('float32', dims, rand.normals(dims.reduce((a, d) => a * d, 1)));
}
