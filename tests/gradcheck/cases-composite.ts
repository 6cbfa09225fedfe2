// Gradcheck cases for composite blocks the models are made of: scaled dot-product attention,
// softmax cross-entropy, a GroupNorm+SiLU+Conv ResNet block and a GEGLU feed-forward. They check
// that rules chain correctly through realistic graphs, not just one op at a time.
import type { GraphBuilder } from '../../src/engine/ir/builder';
import type { Value } from '../../src/engine/ir/graph';
import type { GradCase } from './harness';
import { Rng } from './rng';

const v = (x: Value | undefined): Value => x as Value;

function attention(b: GraphBuilder, x: Value, wq: Value, wk: Value, wv: Value, heads: number): Value {
  const [n = 1, t = 1, d = 1] = x.type.shape;
  const split = (y: Value): Value => b.transpose(b.reshape(y, [n, t, heads, d / heads]), [0, 2, 1, 3]);
  const [q, k, val] = [split(b.matmul(x, wq)), split(b.matmul(x, wk)), split(b.matmul(x, wv))];
  const scores = b.softmax(b.mul(b.matmul(q, b.transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(d / heads)), -1);
  return b.reshape(b.transpose(b.matmul(scores, val), [0, 2, 1, 3]), [n, t, d]);
}

export function compositeCases(seed: number): GradCase[] {
  const r = new Rng(seed + 4);
  const [n, t, classes] = [r.int(1, 2), r.int(2, 4), r.int(3, 5)];
  const d = 4;
  return [
    {
      op: 'Attention (composite)', name: `[${n},${t},${d}] 2 heads`,
      inputs: [{ name: 'x', shape: [n, t, d] }, { name: 'wq', shape: [d, d] }, { name: 'wk', shape: [d, d] }, { name: 'wv', shape: [d, d] }],
      build: (b, [x, wq, wk, wv]) => attention(b, v(x), v(wq), v(wk), v(wv), 2),
    },
    {
      op: 'Softmax cross-entropy (composite)', name: `[${t},${classes}] labels gathered`,
      inputs: [{ name: 'logits', shape: [t, classes] }, { name: 'labels', shape: [t, 1], ints: Array.from({ length: t }, (_, i) => i % classes) }],
      build: (b, [z, y]) => b.neg(b.reduceMean(b.gatherElements(b.logSoftmax(v(z), -1), v(y), 1), undefined, false)),
    },
    {
      op: 'ResNet block (composite)', name: `[1,4,4,4] GroupNorm+SiLU+Conv, residual`,
      inputs: [{ name: 'x', shape: [1, 4, 4, 4] }, { name: 's', shape: [4] }, { name: 'bn', shape: [4] }, { name: 'w', shape: [4, 4, 3, 3] }, { name: 'bias', shape: [4] }],
      build: (b, [x, s, bn, w, bias]) => b.add(v(x), b.conv(b.silu(b.groupNorm(v(x), 2, v(s), v(bn))), v(w), bias, { pads: [1, 1, 1, 1] })),
    },
    {
      op: 'GEGLU feed-forward (composite)', name: `[${t},${d}] -> 2x${d * 2} -> ${d}`,
      inputs: [{ name: 'x', shape: [t, d] }, { name: 'w1', shape: [d, 4 * d] }, { name: 'w2', shape: [2 * d, d] }],
      build: (b, [x, w1, w2]) => {
        const [hidden, gate] = b.split(b.matmul(v(x), v(w1)), [2 * d, 2 * d], -1);
        return b.matmul(b.mul(v(hidden), b.gelu(v(gate))), v(w2));
      },
    },
  ];
}
