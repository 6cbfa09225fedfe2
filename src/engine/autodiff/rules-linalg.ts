// Gradient rules for MatMul, Gemm, Conv, ConvTranspose and nearest Resize.
import type { Value } from '../ir/graph';
import { biasGrad, convAttrs, convGeometry, convInputGrad, convWeightGrad } from './conv-grad';
import { rankOf, range, shapeOf, type GradOps } from './grad-ops';
import type { RuleTable } from './types';

/** MatMul with numpy's 1-D promotion made explicit: a [k] is [1,k], b [k] is [k,1]. */
function matmulGrads(o: GradOps, a: Value, b: Value, g: Value): { ga: () => Value; gb: () => Value } {
  const a1 = rankOf(a) === 1;
  const b1 = rankOf(b) === 1;
  const A = () => (a1 ? o.unsqueeze(a, [0]) : a);
  const B = () => (b1 ? o.unsqueeze(b, [1]) : b);
  const G = () => {
    let gm = g;
    if (a1) gm = o.unsqueeze(gm, [Math.max(0, rankOf(gm) - (b1 ? 0 : 1))]);
    if (b1) gm = o.unsqueeze(gm, [rankOf(gm)]);
    return gm;
  };
  return {
    // dA = G @ B^T (a [k]: squeeze the promoted row)
    ga: () => { const r = o.matmul(G(), o.mT(B())); return a1 ? o.squeeze(r, [rankOf(r) - 2]) : r; },
    // dB = A^T @ G (b [k]: squeeze the promoted column)
    gb: () => { const r = o.matmul(o.mT(A()), G()); return b1 ? o.squeeze(r, [rankOf(r) - 1]) : r; },
  };
}

/** Nearest resize with integer scales: d x = g summed over each s-by-s block. */
function resizeGrad(o: GradOps, g: Value, xShape: readonly number[], scales: readonly number[]): Value {
  const split = xShape.flatMap((d, i) => [d, scales[i] ?? 1]);
  return o.reshape(o.reduceSum(o.reshape(g, split), range(0, xShape.length).map((i) => 2 * i + 1), 0), xShape);
}

export const linalgRules = {
  MatMul: (c, o) => {
    const m = matmulGrads(o, c.x(0), c.x(1), c.g());
    return [m.ga, m.gb];
  },
  // Y = alpha*op(A)op(B) + beta*C: dA = alpha*g*op(B)^T (transposed back), dB = alpha*op(A)^T*g, dC = beta*g
  Gemm: (c, o) => {
    const { alpha = 1, beta = 1, transA = 0, transB = 0 } = c.attrs;
    const gemm = (p: Value, q: Value, tA: 0 | 1, tB: 0 | 1): Value => o.op('Gemm', [p, q], { alpha, transA: tA, transB: tB });
    const g = c.g();
    return [
      () => (transA ? (transB ? gemm(c.x(1), g, 1, 1) : gemm(c.x(1), g, 0, 1)) : gemm(g, c.x(1), 0, transB ? 0 : 1)),
      () => (transB ? (transA ? gemm(g, c.x(0), 1, 1) : gemm(g, c.x(0), 1, 0)) : gemm(c.x(0), g, transA ? 0 : 1, 0)),
      () => o.scale(g, Math.fround(beta)), // ONNX float attributes are float32: match the forward's beta
    ];
  },
  // dx = ConvTranspose(g, w); dw = corr(x, g); db = sum g
  Conv: (c, o) => {
    const geo = convGeometry(c.attrs, c.x(1));
    return [() => convInputGrad(o, c.g(), c.x(1), geo, shapeOf(c.x(0))), () => convWeightGrad(o, c.x(0), c.g(), geo), () => biasGrad(o, c.g())];
  },
  // dx = Conv(g, w); dw = corr(g, x) (ConvTranspose is Conv's adjoint); db = sum g
  ConvTranspose: (c, o) => {
    const geo = convGeometry(c.attrs, c.x(1));
    return [() => o.op('Conv', [c.g(), c.x(1)], convAttrs(geo)), () => convWeightGrad(o, c.g(), c.x(0), geo), () => biasGrad(o, c.g())];
  },
  // nearest upsampling by integer s: dx = g summed over each s-block
  Resize: (c, o) => [() => {
    const { scales } = c.attrs;
    if (scales.some((s) => !Number.isInteger(s) || s < 1)) c.refuse(`only integer upsampling scales have a gradient rule, got ${JSON.stringify(scales)}`);
    return resizeGrad(o, c.g(), shapeOf(c.x(0)), scales);
  }],
} satisfies Partial<RuleTable>;
