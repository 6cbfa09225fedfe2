// The one list of IR ops. Each op is named exactly as its ONNX op type and carries a typed attribute
// interface; `OpType` is the union of names and `AttrsOf<O>` maps an op to its attributes. Inputs
// that ONNX takes as constant tensors in some opsets (Reshape shape, ReduceSum axes, Split sizes,
// Slice bounds, Clip bounds, Resize scales, TopK k...) are attributes here: shapes are static, and
// the ONNX emitter (src/engine/onnx/opset.ts) turns them into inputs as the target opset wants.
// Tables keyed `{[O in OpType]: ...}` (shape inference, emission, autodiff rules) fail to compile
// when an op is added here without an entry.
import type { DType, TensorData } from '../core/dtype';

type NoAttrs = Record<string, never>;
type Ints = readonly number[];

/** A literal tensor: the value of a Constant node. */
export interface ConstTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

interface ConvAttrs {
  strides?: Ints;
  /** [x1_begin, x2_begin, ..., x1_end, x2_end, ...] as in ONNX. */
  pads?: Ints;
  dilations?: Ints;
  group?: number;
  kernel_shape?: Ints;
}

interface ReduceAttrs {
  /** Undefined (or empty) reduces every axis. */
  axes?: Ints;
  keepdims?: 0 | 1;
}

interface ArgAttrs {
  axis?: number;
  keepdims?: 0 | 1;
  select_last_index?: 0 | 1;
}

export interface OpAttrs {
  // elementwise binary (numpy broadcasting)
  Add: NoAttrs;
  Sub: NoAttrs;
  Mul: NoAttrs;
  Div: NoAttrs;
  Pow: NoAttrs;
  Max: NoAttrs;
  Min: NoAttrs;
  // comparisons and logic (bool results)
  Equal: NoAttrs;
  Less: NoAttrs;
  Greater: NoAttrs;
  LessOrEqual: NoAttrs;
  GreaterOrEqual: NoAttrs;
  And: NoAttrs;
  Or: NoAttrs;
  Not: NoAttrs;
  Where: NoAttrs;
  // elementwise unary
  Neg: NoAttrs;
  Sqrt: NoAttrs;
  Reciprocal: NoAttrs;
  Exp: NoAttrs;
  Log: NoAttrs;
  Abs: NoAttrs;
  Sign: NoAttrs;
  Floor: NoAttrs;
  Ceil: NoAttrs;
  Sigmoid: NoAttrs;
  Tanh: NoAttrs;
  Relu: NoAttrs;
  Erf: NoAttrs;
  Sin: NoAttrs;
  Cos: NoAttrs;
  Identity: NoAttrs;
  Clip: { min?: number; max?: number };
  Cast: { to: DType };
  // linear algebra and convolution
  MatMul: NoAttrs;
  Gemm: { alpha?: number; beta?: number; transA?: 0 | 1; transB?: 0 | 1 };
  Conv: ConvAttrs;
  ConvTranspose: ConvAttrs & { output_padding?: Ints };
  /** Nearest-neighbour resize (PyTorch `interpolate(mode='nearest')`: asymmetric, floor). */
  Resize: { scales: Ints; mode: 'nearest' };
  // reductions
  ReduceSum: ReduceAttrs;
  ReduceMean: ReduceAttrs;
  ReduceMax: ReduceAttrs;
  ReduceMin: ReduceAttrs;
  ReduceLogSumExp: ReduceAttrs;
  ArgMax: ArgAttrs;
  ArgMin: ArgAttrs;
  TopK: { k: number; axis?: number; largest?: 0 | 1; sorted?: 0 | 1 };
  CumSum: { axis: number; exclusive?: 0 | 1; reverse?: 0 | 1 };
  // normalisation and softmax
  Softmax: { axis?: number };
  LogSoftmax: { axis?: number };
  LayerNormalization: { axis?: number; epsilon?: number };
  InstanceNormalization: { epsilon?: number };
  // data movement
  Reshape: { shape: Ints };
  Transpose: { perm?: Ints };
  Concat: { axis: number };
  Split: { axis?: number; split: Ints };
  Slice: { starts: Ints; ends: Ints; axes?: Ints; steps?: Ints };
  Gather: { axis?: number };
  GatherElements: { axis?: number };
  ScatterElements: { axis?: number; reduction?: 'none' | 'add' | 'mul' };
  ScatterND: { reduction?: 'none' | 'add' | 'mul' };
  Expand: { shape: Ints };
  Unsqueeze: { axes: Ints };
  Squeeze: { axes?: Ints };
  Tile: { repeats: Ints };
  /** pads as in ONNX: [x1_begin, x2_begin, ..., x1_end, x2_end, ...]. */
  Pad: { pads: Ints; mode?: 'constant' | 'reflect' | 'edge'; value?: number };
  Constant: { value: ConstTensor };
}

export type OpType = keyof OpAttrs;
export type AttrsOf<O extends OpType> = OpAttrs[O];

export interface OpInfo {
  /** Fewest and most tensor inputs (optional inputs come last). */
  readonly inputs: readonly [number, number];
  /** Number of outputs; 'split' means one per entry of attrs.split. */
  readonly outputs: number | 'split';
}

const unary: OpInfo = { inputs: [1, 1], outputs: 1 };
const binary: OpInfo = { inputs: [2, 2], outputs: 1 };

/** Runtime facts per op; exhaustive over OpType, and the list `OP_TYPES` is derived from it. */
export const OP_INFO: { readonly [O in OpType]: OpInfo } = {
  Add: binary, Sub: binary, Mul: binary, Div: binary, Pow: binary, Max: binary, Min: binary,
  Equal: binary, Less: binary, Greater: binary, LessOrEqual: binary, GreaterOrEqual: binary,
  And: binary, Or: binary, Not: unary, Where: { inputs: [3, 3], outputs: 1 },
  Neg: unary, Sqrt: unary, Reciprocal: unary, Exp: unary, Log: unary, Abs: unary, Sign: unary,
  Floor: unary, Ceil: unary, Sigmoid: unary, Tanh: unary, Relu: unary, Erf: unary, Sin: unary,
  Cos: unary, Identity: unary, Clip: unary, Cast: unary,
  MatMul: binary,
  Gemm: { inputs: [2, 3], outputs: 1 },
  Conv: { inputs: [2, 3], outputs: 1 },
  ConvTranspose: { inputs: [2, 3], outputs: 1 },
  Resize: unary,
  ReduceSum: unary, ReduceMean: unary, ReduceMax: unary, ReduceMin: unary, ReduceLogSumExp: unary,
  ArgMax: unary, ArgMin: unary,
  TopK: { inputs: [1, 1], outputs: 2 },
  CumSum: unary,
  Softmax: unary, LogSoftmax: unary,
  LayerNormalization: { inputs: [2, 3], outputs: 1 },
  InstanceNormalization: { inputs: [3, 3], outputs: 1 },
  Reshape: unary, Transpose: unary,
  Concat: { inputs: [1, Number.POSITIVE_INFINITY], outputs: 1 },
  Split: { inputs: [1, 1], outputs: 'split' },
  Slice: unary,
  Gather: binary, GatherElements: binary,
  ScatterElements: { inputs: [3, 3], outputs: 1 },
  ScatterND: { inputs: [3, 3], outputs: 1 },
  Expand: unary, Unsqueeze: unary, Squeeze: unary, Tile: unary, Pad: unary,
  Constant: { inputs: [0, 0], outputs: 1 },
};

export const OP_TYPES = Object.keys(OP_INFO) as readonly OpType[];

export function isOpType(value: unknown): value is OpType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(OP_INFO, value);
}
