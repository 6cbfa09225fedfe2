// Oracle cases for network blocks: attention, ResNet (GroupNorm+SiLU+Conv), GEGLU feed-forward, MLPs,
// and a conv-transpose/nearest upsample. Their PyTorch twins are in tests/oracle/refs.py.
import type { GraphBuilder, Value } from '../../../../src/engine/ir';
import type { OracleCase } from '../case';

const CONV_F32 = 'onnxruntime CPU has no float64 Conv/ConvTranspose kernel';

function headsSplit(b: GraphBuilder, x: Value, heads: number): Value {
  const [n, t, d] = x.type.shape as [number, number, number];
  return b.transpose(b.reshape(x, [n, t, heads, d / heads]), [0, 2, 1, 3]);
}

/** Pre-norm multi-head self-attention with output projection and residual. */
export const attention: OracleCase = {
  name: 'attention_block',
  dtype: 'float64',
  wrt: ['x', 'ln_w', 'ln_b', 'wq', 'wk', 'wv', 'wo', 'bo'],
  inputs: (m) => ({
    x: m.normal([2, 5, 8]), ln_w: m.normal([8], 0.2, 1), ln_b: m.normal([8], 0.1),
    wq: m.normal([8, 8], 0.4), wk: m.normal([8, 8], 0.4), wv: m.normal([8, 8], 0.4), wo: m.normal([8, 8], 0.4), bo: m.normal([8], 0.1),
  }),
  forward: (b, x) => {
    const h = b.layerNorm(x.x!, x.ln_w!, x.ln_b!);
    const q = headsSplit(b, b.matmul(h, x.wq!), 2);
    const k = b.transpose(headsSplit(b, b.matmul(h, x.wk!), 2), [0, 1, 3, 2]);
    const v = headsSplit(b, b.matmul(h, x.wv!), 2);
    const probs = b.softmax(b.mul(b.matmul(q, k), 1 / Math.sqrt(4)), -1);
    const merged = b.reshape(b.transpose(b.matmul(probs, v), [0, 2, 1, 3]), [2, 5, 8]);
    return b.add(x.x!, b.linear(merged, x.wo!, x.bo!));
  },
};

/** diffusers-style ResnetBlock2D: GroupNorm, SiLU, 3x3 conv, time embedding, twice, residual. */
export const resnet: OracleCase = {
  name: 'resnet_block',
  dtype: 'float32',
  why32: CONV_F32,
  wrt: ['x', 'temb', 'gn1_w', 'gn1_b', 'w1', 'b1', 'wt', 'bt', 'gn2_w', 'gn2_b', 'w2', 'b2'],
  inputs: (m) => ({
    x: m.normal([2, 8, 6, 6]), temb: m.normal([2, 16]),
    gn1_w: m.normal([8], 0.2, 1), gn1_b: m.normal([8], 0.1), w1: m.normal([8, 8, 3, 3], 0.15), b1: m.normal([8], 0.1),
    wt: m.normal([16, 8], 0.25), bt: m.normal([8], 0.1),
    gn2_w: m.normal([8], 0.2, 1), gn2_b: m.normal([8], 0.1), w2: m.normal([8, 8, 3, 3], 0.15), b2: m.normal([8], 0.1),
  }),
  forward: (b, x) => {
    const pads = [1, 1, 1, 1];
    let h = b.conv(b.silu(b.groupNorm(x.x!, 4, x.gn1_w!, x.gn1_b!)), x.w1!, x.b1!, { pads });
    const t = b.reshape(b.linear(b.silu(x.temb!), x.wt!, x.bt!), [2, 8, 1, 1]);
    h = b.add(h, t);
    h = b.conv(b.silu(b.groupNorm(h, 4, x.gn2_w!, x.gn2_b!)), x.w2!, x.b2!, { pads });
    return b.add(x.x!, h);
  },
};

/** diffusers GEGLU feed-forward: proj to 2*inner, chunk, h * gelu(gate), project back. */
export const geglu: OracleCase = {
  name: 'geglu_feed_forward',
  dtype: 'float32',
  why32: 'onnxruntime CPU has no float64 Erf kernel',
  wrt: ['x', 'w1', 'b1', 'w2', 'b2'],
  inputs: (m) => ({ x: m.normal([2, 5, 8]), w1: m.normal([8, 32], 0.35), b1: m.normal([32], 0.1), w2: m.normal([16, 8], 0.25), b2: m.normal([8], 0.1) }),
  forward: (b, x) => {
    const [h, gate] = b.split(b.linear(x.x!, x.w1!, x.b1!), [16, 16], -1) as [Value, Value];
    return b.linear(b.mul(h, b.gelu(gate, 'exact')), x.w2!, x.b2!);
  },
};

/** Three-layer MLP with tanh and SiLU activations. */
export const mlp: OracleCase = {
  name: 'mlp',
  dtype: 'float64',
  wrt: ['x', 'w1', 'b1', 'w2', 'b2', 'w3', 'b3'],
  inputs: (m) => ({
    x: m.normal([6, 5]), w1: m.normal([5, 16], 0.45), b1: m.normal([16], 0.1), w2: m.normal([16, 16], 0.25), b2: m.normal([16], 0.1),
    w3: m.normal([16, 3], 0.25), b3: m.normal([3], 0.1),
  }),
  forward: (b, x) => {
    const h1 = b.tanh(b.linear(x.x!, x.w1!, x.b1!));
    const h2 = b.silu(b.linear(h1, x.w2!, x.b2!));
    return b.linear(h2, x.w3!, x.b3!);
  },
};

/** Two-layer MLP with the tanh approximation of GELU (and quick GELU on a skip path). */
export const geluTanhMlp: OracleCase = {
  name: 'gelu_tanh_mlp',
  dtype: 'float64',
  wrt: ['x', 'w1', 'b1', 'w2'],
  inputs: (m) => ({ x: m.normal([4, 6]), w1: m.normal([6, 12], 0.4), b1: m.normal([12], 0.1), w2: m.normal([12, 6], 0.3) }),
  forward: (b, x) => {
    const h = b.gelu(b.linear(x.x!, x.w1!, x.b1!), 'tanh');
    return b.add(b.matmul(h, x.w2!), b.quickGelu(x.x!));
  },
};

/** Stride-2 transposed conv beside diffusers' Upsample2D (nearest x2 then 3x3 conv). */
export const upsample: OracleCase = {
  name: 'conv_transpose_upsample',
  dtype: 'float32',
  why32: CONV_F32,
  wrt: ['x', 'wt', 'bt', 'wc', 'bc'],
  inputs: (m) => ({ x: m.normal([2, 4, 5, 5]), wt: m.normal([4, 6, 4, 4], 0.2), bt: m.normal([6], 0.1), wc: m.normal([6, 4, 3, 3], 0.2), bc: m.normal([6], 0.1) }),
  forward: (b, x) => {
    const transposed = b.convTranspose(x.x!, x.wt!, x.bt!, { strides: [2, 2], pads: [1, 1, 1, 1] });
    const nearest = b.conv(b.upsampleNearest(x.x!, 2), x.wc!, x.bc!, { pads: [1, 1, 1, 1] });
    return b.mul(b.tanh(transposed), nearest);
  },
};

export const blockCases: readonly OracleCase[] = [attention, resnet, geglu, mlp, geluTanhMlp, upsample];
