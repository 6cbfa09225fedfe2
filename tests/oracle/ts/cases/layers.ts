// Oracle cases for more layers and reductions: cross-attention (UNet transformer block shape),
// Gemm with transB and alpha/beta, max/min pooling by reductions, InstanceNorm, a power-law and
// hinge loss, and softmax / log-softmax across a non-last axis. PyTorch twins in tests/oracle/refs.py.
import type { OracleCase } from '../case';

/** Queries from x [2,6,8], keys and values from a context [2,4,5] (text states), one head. */
export const crossAttention: OracleCase = {
  name: 'cross_attention',
  dtype: 'float64',
  wrt: ['x', 'ctx', 'wq', 'wk', 'wv'],
  inputs: (m) => ({ x: m.normal([2, 6, 8]), ctx: m.normal([2, 4, 5]), wq: m.normal([8, 8], 0.4), wk: m.normal([5, 8], 0.4), wv: m.normal([5, 8], 0.4) }),
  forward: (b, x) => {
    const q = b.matmul(x.x!, x.wq!);
    const k = b.transpose(b.matmul(x.ctx!, x.wk!), [0, 2, 1]);
    const probs = b.softmax(b.div(b.matmul(q, k), Math.sqrt(8)), -1);
    return b.add(x.x!, b.matmul(probs, b.matmul(x.ctx!, x.wv!)));
  },
};

/**
 * Gemm(alpha 0.7, beta 1.3, transB) with a bias row, then |.|^1.5 by Pow and Abs. ONNX float
 * attributes are 32-bit, so alpha and beta carry float32 rounding (~2e-8 relative here).
 */
export const gemmPow: OracleCase = {
  name: 'gemm_transb_pow',
  dtype: 'float64',
  wrt: ['a', 'w', 'c'],
  inputs: (m) => ({ a: m.normal([5, 6]), w: m.normal([4, 6], 0.5), c: m.normal([4], 0.2) }),
  forward: (b, x) => b.pow(b.add(b.abs(b.gemm(x.a!, x.w!, x.c!, { alpha: 0.7, beta: 1.3, transB: 1 })), 0.1), 1.5),
};

/** 2x2 max pooling and min over channels, written as reshape + ReduceMax / ReduceMin. */
export const pooling: OracleCase = {
  name: 'reduce_max_min_pool',
  dtype: 'float64',
  wrt: ['x'],
  inputs: (m) => ({ x: m.normal([2, 3, 4, 4]) }),
  forward: (b, x) => {
    const windows = b.reshape(b.transpose(b.reshape(x.x!, [2, 3, 2, 2, 2, 2]), [0, 1, 2, 4, 3, 5]), [2, 3, 2, 2, 4]);
    const pooled = b.reduceMax(windows, [4], false);
    return b.add(pooled, b.reduceMin(pooled, [1], true));
  },
};

/** InstanceNormalization with per-channel scale and bias, then SiLU. */
export const instanceNorm: OracleCase = {
  name: 'instance_norm',
  dtype: 'float32',
  why32: 'onnxruntime CPU has no float64 InstanceNormalization kernel',
  wrt: ['x', 'scale', 'bias'],
  inputs: (m) => ({ x: m.normal([2, 3, 5, 4], 1.5, 0.3), scale: m.normal([3], 0.2, 1), bias: m.normal([3], 0.2) }),
  forward: (b, x) => b.silu(b.instanceNorm(x.x!, x.scale!, x.bias!, 1e-5)),
};

/** Softmax and log-softmax over axis 0, mixed with a hinge (Relu) and a Where-signed term. */
export const axisSoftmax: OracleCase = {
  name: 'softmax_axis0_hinge',
  dtype: 'float64',
  wrt: ['x'],
  inputs: (m) => ({ x: m.normal([4, 5], 1.5) }),
  forward: (b, x) => {
    const mixed = b.add(b.softmax(x.x!, 0), b.mul(b.logSoftmax(x.x!, 0), 0.3));
    const decay = b.exp(b.neg(b.abs(x.x!)));
    return b.add(b.relu(b.sub(1, mixed)), b.where(b.greater(x.x!, 0), decay, b.neg(decay)));
  },
};

export const layerCases: readonly OracleCase[] = [crossAttention, gemmPow, pooling, instanceNorm, axisSoftmax];
