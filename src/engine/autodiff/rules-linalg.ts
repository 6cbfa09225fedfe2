// Gradient rules for MatMul, Gemm, Conv, ConvTranspose and nearest Resize.
import type { GraphBuilder } from '../ir/builder';
import type { Value } from '../ir/graph';
import { biasGrad, convAttrs, convGeometry, convInputGrad, convWeightGrad } from './conv-grad';
import { mT, rankOf, range, reshapeTo, shapeOf } from './shape-helpers';
import type { RuleTable } from './types';

/** MatMul with numpy's 1-D promotion made explicit: a [k] is [1,k], b [k] is [k,1]. */
function matmulGrads(bd: GraphBuilder, a: Value, b: Value, g: Value): { ga: () => Value; gb: () => Value } {
  const a1 = rankOf(a) === 1;
  const b1 = rankOf(b) === 1;
  const A = () => (a1 ? bd.unsqueeze(a, [0]) : a);
  const B = () => (b1 ? bd.unsqueeze(b, [1]) : b);
  const G = () => {
    let gm = g;
    if (a1) gm = bd.unsqueeze(gm, [Math.max(0, rankOf(gm) - (b1 ? 0 : 1))]);
    if (b1) gm = bd.unsqueeze(gm, [rankOf(gm)]);
    return gm;
  };
  return {
    // dA = G @ B^T (a [k]: squeeze the promoted row)
    ga: () => { const r = bd.matmul(G(), mT(bd, B())); return a1 ? bd.squeeze(r, [rankOf(r) - 2]) : r; },
    // dB = A^T @ G (b [k]: squeeze the promoted column)
    gb: () => { const r = bd.matmul(mT(bd, A()), G()); return b1 ? bd.squeeze(r, [rankOf(r) - 1]) : r; },
  };
}

/** Nearest resize with integer scales: d x = g summed over each s-by-s block. */
function resizeGrad(b: GraphBuilder, g: Value, xShape: readonly number[], scales: readonly number[]): Value {
  const split = xShape.flatMap((d, i) => [d, scales[i] ?? 1]);
  return reshapeTo(b, b.reduceSum(reshapeTo(b, g, split), range(0, xShape.length).map((i) => 2 * i + 1), false), xShape);
}

export const linalgRules = {
  MatMul: (c, b) => {
    const m = matmulGrads(b, c.x(0), c.x(1), c.g());
    return [m.ga, m.gb];
  },
  // Y = alpha*op(A)op(B) + beta*C: dA = alpha*g*op(B)^T (transposed back), dB = alpha*op(A)^T*g, dC = beta*g
  Gemm: (c, b) => {
    const { alpha = 1, beta = 1, transA = 0, transB = 0 } = c.attrs;
    const gemm = (p: Value, q: Value, tA: 0 | 1, tB: 0 | 1): Value => b.gemm(p, q, undefined, { alpha, transA: tA, transB: tB });
    const g = c.g();
    const betaF32 = Math.fround(beta); // ONNX float attributes are float32: match the forward's beta
    return [
      () => (transA ? (transB ? gemm(c.x(1), g, 1, 1) : gemm(c.x(1), g, 0, 1)) : gemm(g, c.x(1), 0, transB ? 0 : 1)),
      () => (transB ? (transA ? gemm(g, c.x(0), 1, 1) : gemm(g, c.x(0), 1, 0)) : gemm(c.x(0), g, transA ? 0 : 1, 0)),
      () => (betaF32 === 1 ? g : b.mul(g, betaF32)),
    ];
  },
  // dx = ConvTranspose(g, w) (or, at stride 1 with options 'flip', Conv with the flipped w); dw = corr(x, g); db = sum g
  Conv: (c, b) => {
    const geo = convGeometry(c.attrs, c.x(1));
    return [() => convInputGrad(b, c.g(), c.x(1), geo, shapeOf(c.x(0)), c.options.convInputGrad), () => convWeightGrad(b, c.x(0), c.g(), geo), () => biasGrad(b, c.g())];
  },
  // dx = Conv(g, w); dw = corr(g, x) (ConvTranspose is Conv's adjoint); db = sum g
  ConvTranspose: (c, b) => {
    const geo = convGeometry(c.attrs, c.x(1));
    return [() => b.conv(c.g(), c.x(1), undefined, convAttrs(geo)), () => convWeightGrad(b, c.g(), c.x(0), geo), () => biasGrad(b, c.g())];
  },
  // nearest upsampling by integer s: dx = g summed over each s-block
  Resize: (c, b) => [() => {
    const { scales } = c.attrs;
    if (scales.some((s) => !Number.isInteger(s) || s < 1)) c.refuse(`only integer upsampling scales have a gradient rule, got ${JSON.stringify(scales)}`);
    return resizeGrad(b, c.g(), shapeOf(c.x(0)), scales);
  }],
} satisfies Partial<RuleTable>;
