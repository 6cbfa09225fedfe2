// Attention block: pre-LayerNorm multi-head self-attention (4 heads), output projection and
// residual on [4, 256, 256] float32.
import type { BenchCase } from './bench-case';
import { WeightedBuilder, randomInput } from './bench-case';

const [B, T, D, HEADS] = [4, 256, 256, 4];

const attentionBlock: BenchCase = {
  name: 'attention_block',
  forwardFlops: 4 * (2 * B * T * D * D) + 2 * (2 * B * T * T * D),
  torch: { module: 'attention_block', config: { b: B, t: T, d: D, heads: HEADS } },
  input: () => randomInput([B, T, D]),
  build: () => {
    const b = new WeightedBuilder('attention_block');
    const x = b.input('x', 'float32', [B, T, D]);
    const h = b.layerNorm(x, b.ones('norm.weight', D), b.zeros('norm.bias', D));
    const heads = (name: string, perm: number[]) =>
      b.transpose(b.reshape(b.linear(h, b.weight(`${name}.weight`, [D, D], D), b.weight(`${name}.bias`, [D], D)), [B, T, HEADS, D / HEADS]), perm);
    const q = heads('to_q', [0, 2, 1, 3]);
    const k = heads('to_k', [0, 2, 3, 1]);
    const v = heads('to_v', [0, 2, 1, 3]);
    const probs = b.softmax(b.mul(b.matmul(q, k), 1 / Math.sqrt(D / HEADS)), -1);
    const merged = b.reshape(b.transpose(b.matmul(probs, v), [0, 2, 1, 3]), [B, T, D]);
    b.output(b.add(x, b.linear(merged, b.weight('to_out.weight', [D, D], D), b.weight('to_out.bias', [D], D))), 'y');
    return b.build();
  },
};

export default attentionBlock;
