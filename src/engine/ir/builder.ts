// GraphBuilder: the API models are written in. One method per op (from OpBuilder) plus composite
// layers built from those ops: linear, silu, gelu (exact and tanh), quickGelu, groupNorm, upsample.
// Composites use only ops with plain gradient rules, so autodiff needs no special cases for them.
//
//   const b = new GraphBuilder('mlp');
//   const x = b.input('x', 'float32', [2, 3]);
//   const w = b.initializer('w', new Float32Array(12), [3, 4]);
//   b.output(b.matmul(x, w), 'y');
//   const graph = b.build();
import { EngineError } from '../core/errors';
import { formatShape, numel } from '../core/shape';
import { OpBuilder } from './builder-ops';
import type { Graph, Value } from './graph';

export type { Operand } from './builder-core';

export class GraphBuilder extends OpBuilder {
  /** A builder that continues `graph` (same values, nodes, outputs); new ids and names never clash. */
  static from(graph: Graph, name: string = graph.name): GraphBuilder {
    const b = new GraphBuilder(name);
    b.load(graph);
    return b;
  }

  /** x @ w (+ bias): w is [in, out], as a diffusers Linear weight transposed. */
  linear(x: Value, w: Value, bias?: Value): Value {
    const y = this.matmul(x, w);
    return bias ? this.add(y, bias) : y;
  }

  /** x * sigmoid(x). */
  silu(x: Value): Value {
    return this.mul(x, this.sigmoid(x));
  }

  /** GELU: 'exact' 0.5x(1+erf(x/sqrt2)); 'tanh' 0.5x(1+tanh(sqrt(2/pi)(x+0.044715x^3))). */
  gelu(x: Value, approximate: 'exact' | 'tanh' = 'exact'): Value {
    if (approximate === 'exact') {
      const inner = this.add(this.erf(this.mul(x, Math.SQRT1_2)), 1);
      return this.mul(this.mul(x, 0.5), inner);
    }
    const cube = this.mul(this.mul(x, x), x);
    const arg = this.mul(this.add(x, this.mul(cube, 0.044715)), Math.sqrt(2 / Math.PI));
    return this.mul(this.mul(x, 0.5), this.add(this.tanh(arg), 1));
  }

  /** x * sigmoid(1.702 x) (CLIP's quick GELU). */
  quickGelu(x: Value): Value {
    return this.mul(x, this.sigmoid(this.mul(x, 1.702)));
  }

  /**
   * GroupNorm over x [N, C, ...spatial] with `groups` groups, then per-channel scale and bias
   * ([C] each). Written as reshape + mean/variance ops (ONNX GroupNormalization needs opset 18),
   * so its gradient follows from the elementwise and reduction rules.
   */
  groupNorm(x: Value, groups: number, scale: Value, bias: Value, epsilon = 1e-5): Value {
    const shape = x.type.shape;
    const [n, c] = [shape[0] ?? 0, shape[1] ?? 0];
    if (shape.length < 2 || groups <= 0 || c % groups !== 0) {
      throw new EngineError('shape-mismatch', `groupNorm: ${c} channels of ${formatShape(shape)} cannot be split into ${groups} groups; use a divisor of the channel count.`, { op: 'groupNorm', shape: [...shape], groups });
    }
    return this.scope('group_norm', () => {
      const grouped = this.reshape(x, [n, groups, numel(shape) / (n * groups) || 0]);
      const mean = this.reduceMean(grouped, [2]);
      const centered = this.sub(grouped, mean);
      const variance = this.reduceMean(this.mul(centered, centered), [2]);
      const normed = this.div(centered, this.sqrt(this.add(variance, epsilon)));
      const back = this.reshape(normed, shape);
      const perChannel = [c, ...shape.slice(2).map(() => 1)];
      return this.add(this.mul(back, this.reshape(scale, perChannel)), this.reshape(bias, perChannel));
    });
  }

  /** Nearest upsampling of the spatial axes of [N, C, ...spatial] by an integer factor. */
  upsampleNearest(x: Value, factor: number): Value {
    return this.resize(x, x.type.shape.map((_, i) => (i < 2 ? 1 : factor)));
  }
}
