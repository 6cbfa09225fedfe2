// Oracle cases for functions and losses: LayerNorm, softmax cross-entropy, Sinkhorn, logsumexp,
// cumsum, contrastive InfoNCE, embedding gather, Gumbel-softmax, timestep embedding and data
// movement. Their PyTorch twins are in tests/oracle/refs.py.
import type { GraphBuilder, Value } from '../../../../src/engine/ir';
import type { OracleCase } from '../case';

/** LayerNorm over the last two axes with elementwise affine. */
export const layerNorm: OracleCase = {
  name: 'layer_norm',
  dtype: 'float64',
  wrt: ['x', 'w', 'b'],
  inputs: (m) => ({ x: m.normal([3, 4, 6], 2, 0.5), w: m.normal([4, 6], 0.3, 1), b: m.normal([4, 6], 0.2) }),
  forward: (b, x) => b.layerNorm(x.x!, x.w!, x.b!, { axis: -2, epsilon: 1e-5 }),
};

/** Mean softmax cross-entropy of logits against one-hot targets (a scalar). */
export const crossEntropy: OracleCase = {
  name: 'softmax_cross_entropy',
  dtype: 'float64',
  wrt: ['logits'],
  inputs: (m) => ({ logits: m.normal([6, 5], 2), target: m.oneHot(6, 5) }),
  forward: (b, x) => b.neg(b.reduceMean(b.reduceSum(b.mul(x.target!, b.logSoftmax(x.logits!, -1)), [1], false), undefined, false)),
};

/** SwAV/APTP Sinkhorn-Knopp: balanced soft assignment of 6 samples to 4 experts, 3 iterations. */
export const sinkhorn: OracleCase = {
  name: 'sinkhorn',
  dtype: 'float64',
  wrt: ['scores'],
  inputs: (m) => ({ scores: m.normal([6, 4]) }),
  forward: (b, x) => {
    const [samples, experts] = [6, 4];
    let q = b.transpose(b.exp(b.div(x.scores!, 0.5)), [1, 0]);
    q = b.div(q, b.reduceSum(q));
    for (let i = 0; i < 3; i++) {
      q = b.div(b.div(q, b.reduceSum(q, [1])), experts);
      q = b.div(b.div(q, b.reduceSum(q, [0])), samples);
    }
    return b.transpose(b.mul(q, samples), [1, 0]);
  },
};

/** logsumexp along each axis, combined. */
export const logSumExp: OracleCase = {
  name: 'logsumexp',
  dtype: 'float64',
  wrt: ['x'],
  inputs: (m) => ({ x: m.normal([4, 7], 3) }),
  forward: (b, x) => b.add(b.logSumExp(x.x!, [1], true), b.mul(b.logSumExp(x.x!, [0], true), 0.5)),
};

/** A CDF by cumsum of a softmax, times an exclusive reverse cumsum. */
export const cumsum: OracleCase = {
  name: 'cumsum',
  dtype: 'float64',
  wrt: ['x'],
  inputs: (m) => ({ x: m.normal([3, 6]) }),
  forward: (b, x) => b.mul(b.cumSum(b.softmax(x.x!, 1), 1), b.cumSum(x.x!, 1, { exclusive: true, reverse: true })),
};

function l2normalize(b: GraphBuilder, v: Value): Value {
  return b.div(v, b.sqrt(b.add(b.reduceSum(b.mul(v, v), [1]), 1e-12)));
}

/** Symmetric-free InfoNCE over cosine similarities, targets on the diagonal (a scalar). */
export const contrastive: OracleCase = {
  name: 'contrastive_infonce',
  dtype: 'float64',
  wrt: ['a', 'p'],
  inputs: (m) => ({ a: m.normal([4, 6]), p: m.normal([4, 6]) }),
  forward: (b, x) => {
    const logits = b.div(b.matmul(l2normalize(b, x.a!), b.transpose(l2normalize(b, x.p!), [1, 0])), 0.1);
    const eye = b.constant('float64', [4, 4], [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    return b.neg(b.reduceMean(b.reduceSum(b.mul(eye, b.logSoftmax(logits, 1)), [1], false), undefined, false));
  },
};

/** Embedding lookup with repeated indices (the gradient must accumulate), then a nonlinearity. */
export const embedding: OracleCase = {
  name: 'embedding_gather',
  dtype: 'float64',
  wrt: ['table'],
  inputs: (m) => ({ table: m.normal([10, 4]) }),
  forward: (b, x) => {
    const idx = b.constant('int64', [2, 3], [1, 3, 3, 0, 9, 1]);
    return b.tanh(b.gather(x.table!, idx, 0));
  },
};

/** Gumbel-softmax with the noise supplied as an input, temperature 0.7. */
export const gumbelSoftmax: OracleCase = {
  name: 'gumbel_softmax',
  dtype: 'float64',
  wrt: ['logits'],
  inputs: (m) => ({ logits: m.normal([5, 4]), u: m.uniform([5, 4], 0.01, 0.99) }),
  forward: (b, x) => {
    const gumbel = b.neg(b.log(b.neg(b.log(x.u!))));
    return b.softmax(b.div(b.add(x.logits!, gumbel), 0.7), -1);
  },
};

/** Sinusoidal timestep embedding of a learned scalar per sample (sin, cos, exp, concat). */
export const timestep: OracleCase = {
  name: 'timestep_embedding',
  dtype: 'float32',
  why32: 'onnxruntime CPU has no float64 Cos kernel',
  wrt: ['t', 'freq'],
  inputs: (m) => ({ t: m.uniform([3, 1], 0, 5), freq: m.normal([1, 4], 0.5) }),
  forward: (b, x) => {
    const arg = b.mul(x.t!, b.exp(x.freq!));
    return b.concat([b.sin(arg), b.cos(arg)], 1);
  },
};

/** Pad, slice with step, tile, transpose, concat, squeeze/unsqueeze, expand, where, clip, max (no ties). */
export const movement: OracleCase = {
  name: 'data_movement',
  dtype: 'float64',
  wrt: ['x', 'r'],
  inputs: (m) => ({ x: m.normal([2, 3, 4]), r: m.normal([3, 1]) }),
  forward: (b, x) => {
    const padded = b.pad(x.x!, [0, 1, 0, 0, 1, 2], 'constant', 0.25);
    const sliced = b.slice(padded, [0, 0], [4, 7], [1, 2], [1, 2]);
    const tiled = b.tile(b.unsqueeze(b.squeeze(x.r!, [1]), [0]), [2, 1]);
    const row = b.expand(b.unsqueeze(tiled, [2]), [2, 3, 4]);
    const mixed = b.concat([b.transpose(sliced, [0, 2, 1]), row], 2);
    const gated = b.where(b.greater(mixed, 0), b.clip(mixed, -0.5, 0.8), b.mul(mixed, mixed));
    return b.max(gated, b.mul(mixed, 0.3));
  },
};

export const functionCases: readonly OracleCase[] = [layerNorm, crossEntropy, sinkhorn, logSumExp, cumsum, contrastive, embedding, gumbelSoftmax, timestep, movement];
