// Static shape and dtype inference for every op: one exhaustive table keyed by OpType, and
// `inferTypes`, which checks arity and op names before applying the op's rule.
import { EngineError } from '../../core/errors';
import type { TensorType } from '../graph';
import { OP_INFO, isOpType } from '../ops';
import type { AttrsOf, OpType } from '../ops';
import { InferCtx } from './context';
import type { InferFn } from './context';
import { anyUnary, arithmetic, cast, clip, comparison, floatBinary, floatUnary, logical, numericUnary, where } from './elementwise';
import { conv, convTranspose, gemm, matmul, resize } from './linalg';
import { argReduce, cumSum, instanceNorm, layerNorm, reduction, softmax, topK } from './reduce';
import * as mv from './movement';

export { InferCtx, formatType } from './context';
export type { InferFn } from './context';
export { resolveReshape } from './movement';
export { reducedShape } from './reduce';

const INFER: { readonly [O in OpType]: InferFn<O> } = {
  Add: arithmetic, Sub: arithmetic, Mul: arithmetic, Div: arithmetic, Max: arithmetic, Min: arithmetic,
  Pow: floatBinary,
  Equal: comparison(true), Less: comparison(false), Greater: comparison(false),
  LessOrEqual: comparison(false), GreaterOrEqual: comparison(false),
  And: logical, Or: logical, Not: logical, Where: where,
  Neg: numericUnary, Abs: numericUnary, Sign: numericUnary, Relu: numericUnary,
  Sqrt: floatUnary, Reciprocal: floatUnary, Exp: floatUnary, Log: floatUnary, Floor: floatUnary,
  Ceil: floatUnary, Sigmoid: floatUnary, Tanh: floatUnary, Erf: floatUnary, Sin: floatUnary, Cos: floatUnary,
  Identity: anyUnary, Clip: clip, Cast: cast,
  MatMul: matmul, Gemm: gemm, Conv: conv, ConvTranspose: convTranspose, Resize: resize,
  ReduceSum: reduction(false), ReduceMean: reduction(false), ReduceMax: reduction(false),
  ReduceMin: reduction(false), ReduceLogSumExp: reduction(true),
  ArgMax: argReduce, ArgMin: argReduce, TopK: topK, CumSum: cumSum,
  Softmax: softmax, LogSoftmax: softmax, LayerNormalization: layerNorm, InstanceNormalization: instanceNorm,
  Reshape: mv.reshape, Transpose: mv.transpose, Concat: mv.concat, Split: mv.split, Slice: mv.slice,
  Gather: mv.gather, GatherElements: mv.gatherElements, ScatterElements: mv.scatterElements,
  ScatterND: mv.scatterND, Expand: mv.expand, Unsqueeze: mv.unsqueeze, Squeeze: mv.squeeze,
  Tile: mv.tile, Pad: mv.pad, Constant: mv.constant,
};

/** Output types of `op` applied to `inputs`; throws EngineError naming the op and node on any mismatch. */
export function inferTypes<O extends OpType>(op: O, inputs: readonly TensorType[], attrs: AttrsOf<O>, node: string): TensorType[] {
  if (!isOpType(op)) {
    throw new EngineError('unknown-op', `Node '${node}' uses op '${String(op)}', which the IR does not know; use one of the ops in src/engine/ir/ops.ts.`, { op, node });
  }
  const ctx = new InferCtx(op, node, inputs);
  const [min, max] = OP_INFO[op].inputs;
  if (inputs.length < min || inputs.length > max) {
    ctx.invalid(`takes ${min === max ? min : `${min} to ${max}`} inputs, got ${inputs.length}`);
  }
  const rule = INFER[op] as InferFn<O>;
  return rule(inputs, attrs, ctx);
}
