// The opset table: how each IR op becomes an ONNX NodeProto at a target opset. IR attributes that
// ONNX takes as constant inputs (Reshape shape, Slice bounds, Clip bounds, Resize scales, TopK k,
// CumSum axis, Pad pads, Expand/Tile shapes; ReduceSum/Split/(Un)Squeeze axes since 13; the other
// reductions' axes since 18) become int64/float constant initializers named after the node.
// Exhaustive over OpType: a new op fails to compile until it has an entry here.
import { DTYPE_INFO, makeTensorData } from '../core/dtype';
import type { DType } from '../core/dtype';
import { EngineError } from '../core/errors';
import type { ConstTensor, OpType } from '../ir/ops';
import type { Node, NodeOf } from '../ir/graph';

export const DEFAULT_OPSET = 17;
export const MIN_OPSET = 13;
export const MAX_OPSET = 21;

export type OnnxAttr =
  | { readonly name: string; readonly kind: 'int'; readonly value: number }
  | { readonly name: string; readonly kind: 'float'; readonly value: number }
  | { readonly name: string; readonly kind: 'string'; readonly value: string }
  | { readonly name: string; readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly name: string; readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly name: string; readonly kind: 'tensor'; readonly value: ConstTensor };

export interface LoweredNode {
  readonly opType: string;
  /** Value names; '' marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly attrs: readonly OnnxAttr[];
}

/** What a lowering may ask of the emitter: a constant input tensor, returned by name. */
export interface LowerCtx {
  readonly opset: number;
  constant(node: AnyNode, suffix: string, tensor: ConstTensor): string;
}

/** Any node, seen without narrowing its op. */
export type AnyNode = NodeOf<OpType>;

type Lower<O extends OpType> = (node: NodeOf<O>, ctx: LowerCtx) => LoweredNode;

const FLOAT_ATTRS = new Set(['alpha', 'beta', 'epsilon']);

/** ONNX IR version to declare for an opset (ir 8 is what onnxruntime 1.14 reads; opset 17-18). */
export function irVersionFor(opset: number): number {
  if (opset <= 18) return 8;
  return opset <= 20 ? 9 : 10;
}

/** IR attributes copied as ONNX attributes, minus `skip`; numbers are ints unless float-valued by name. */
function passAttrs(attrs: object, skip: readonly string[] = []): OnnxAttr[] {
  const out: OnnxAttr[] = [];
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || skip.includes(name)) continue;
    if (typeof value === 'string') out.push({ name, kind: 'string', value });
    else if (typeof value === 'number') out.push(FLOAT_ATTRS.has(name) ? { name, kind: 'float', value } : { name, kind: 'int', value });
    else if (Array.isArray(value)) out.push({ name, kind: 'ints', value: value as number[] });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

const ids = (node: AnyNode): string[] => node.inputs.map((v) => v.name);

function plain<O extends OpType>(skip: readonly string[] = []): Lower<O> {
  return (node) => ({ opType: node.op, inputs: ids(node), attrs: passAttrs(node.attrs, skip) });
}

function int64s(values: readonly number[], shape: readonly number[] = [values.length]): ConstTensor {
  return { dtype: 'int64', shape, data: makeTensorData('int64', values) };
}

function scalarOf(dtype: DType, value: number): ConstTensor {
  return { dtype, shape: [], data: makeTensorData(dtype, [value]) };
}

/** Moves the named int-list attribute to an int64 input (omitted when undefined or, if `dropEmpty`, empty). */
function withIntsInput<O extends OpType>(attr: string, since: number, dropEmpty: boolean): Lower<O> {
  return (node, ctx) => {
    if (ctx.opset < since) return plain<O>()(node, ctx);
    const value = (node.attrs as Record<string, unknown>)[attr] as readonly number[] | undefined;
    const inputs = ids(node);
    if (value !== undefined && !(dropEmpty && value.length === 0)) inputs.push(ctx.constant(node, attr, int64s(value)));
    return { opType: node.op, inputs, attrs: passAttrs(node.attrs, [attr]) };
  };
}

type Reduce18 = 'ReduceMean' | 'ReduceMax' | 'ReduceMin' | 'ReduceLogSumExp';
const reduceAxes18 = withIntsInput<Reduce18>('axes', 18, true);

function requireOpset(node: AnyNode, ctx: LowerCtx, since: number, why: string): void {
  if (ctx.opset < since) {
    throw new EngineError('unsupported-model', `${node.op} node '${node.name}' needs opset ${since} or later (${why}) but the target opset is ${ctx.opset}; raise the opset.`, { op: node.op, node: node.name, opset: ctx.opset });
  }
}

const scatter = <O extends 'ScatterElements' | 'ScatterND'>(node: NodeOf<O>, ctx: LowerCtx): LoweredNode => {
  const reduction = node.attrs.reduction ?? 'none';
  if (reduction !== 'none') requireOpset(node, ctx, 16, `reduction='${reduction}'`);
  return { opType: node.op, inputs: ids(node), attrs: passAttrs(node.attrs, reduction === 'none' ? ['reduction'] : []) };
};

export const LOWER: { readonly [O in OpType]: Lower<O> } = {
  Add: plain(), Sub: plain(), Mul: plain(), Div: plain(), Pow: plain(), Max: plain(), Min: plain(),
  Equal: plain(), Less: plain(), Greater: plain(), LessOrEqual: plain(), GreaterOrEqual: plain(),
  And: plain(), Or: plain(), Not: plain(), Where: plain(),
  Neg: plain(), Sqrt: plain(), Reciprocal: plain(), Exp: plain(), Log: plain(), Abs: plain(), Sign: plain(),
  Floor: plain(), Ceil: plain(), Sigmoid: plain(), Tanh: plain(), Relu: plain(), Erf: plain(), Sin: plain(),
  Cos: plain(), Identity: plain(),
  Clip: (node, ctx) => {
    const dtype = node.inputs[0]?.type.dtype ?? 'float32';
    const { min, max } = node.attrs;
    const inputs = ids(node);
    if (min !== undefined || max !== undefined) inputs.push(min === undefined ? '' : ctx.constant(node, 'min', scalarOf(dtype, min)));
    if (max !== undefined) inputs.push(ctx.constant(node, 'max', scalarOf(dtype, max)));
    return { opType: 'Clip', inputs, attrs: [] };
  },
  Cast: (node) => ({ opType: 'Cast', inputs: ids(node), attrs: [{ name: 'to', kind: 'int', value: dtypeCode(node.attrs.to) }] }),
  MatMul: plain(), Gemm: plain(), Conv: plain(), ConvTranspose: plain(),
  Resize: (node, ctx) => ({
    opType: 'Resize',
    inputs: [...ids(node), '', ctx.constant(node, 'scales', { dtype: 'float32', shape: [node.attrs.scales.length], data: new Float32Array(node.attrs.scales) })],
    attrs: [
      { name: 'coordinate_transformation_mode', kind: 'string', value: 'asymmetric' },
      { name: 'mode', kind: 'string', value: 'nearest' },
      { name: 'nearest_mode', kind: 'string', value: 'floor' },
    ],
  }),
  ReduceSum: withIntsInput('axes', 13, true),
  ReduceMean: reduceAxes18, ReduceMax: reduceAxes18, ReduceMin: reduceAxes18, ReduceLogSumExp: reduceAxes18,
  ArgMax: plain(), ArgMin: plain(),
  TopK: (node, ctx) => ({ opType: 'TopK', inputs: [...ids(node), ctx.constant(node, 'k', int64s([node.attrs.k]))], attrs: passAttrs(node.attrs, ['k']) }),
  CumSum: (node, ctx) => ({ opType: 'CumSum', inputs: [...ids(node), ctx.constant(node, 'axis', int64s([node.attrs.axis], []))], attrs: passAttrs(node.attrs, ['axis']) }),
  Softmax: plain(), LogSoftmax: plain(),
  LayerNormalization: (node, ctx) => {
    requireOpset(node, ctx, 17, 'LayerNormalization');
    return plain<'LayerNormalization'>()(node, ctx);
  },
  InstanceNormalization: plain(),
  Reshape: (node, ctx) => ({
    opType: 'Reshape',
    inputs: [...ids(node), ctx.constant(node, 'shape', int64s(node.attrs.shape))],
    attrs: node.attrs.shape.includes(0) ? [{ name: 'allowzero', kind: 'int', value: 1 }] : [],
  }),
  Transpose: plain(), Concat: plain(),
  Split: withIntsInput('split', 13, false),
  Slice: (node, ctx) => {
    const { starts, ends, axes, steps } = node.attrs;
    const inputs = [...ids(node), ctx.constant(node, 'starts', int64s(starts)), ctx.constant(node, 'ends', int64s(ends))];
    inputs.push(ctx.constant(node, 'axes', int64s(axes ?? starts.map((_, i) => i))));
    if (steps) inputs.push(ctx.constant(node, 'steps', int64s(steps)));
    return { opType: 'Slice', inputs, attrs: [] };
  },
  Gather: plain(), GatherElements: plain(),
  ScatterElements: scatter, ScatterND: scatter,
  Expand: withIntsInput('shape', 1, false),
  Unsqueeze: withIntsInput('axes', 13, false),
  Squeeze: withIntsInput('axes', 13, true),
  Tile: withIntsInput('repeats', 1, false),
  Pad: (node, ctx) => {
    const dtype = node.inputs[0]?.type.dtype ?? 'float32';
    const mode = node.attrs.mode ?? 'constant';
    const inputs = [...ids(node), ctx.constant(node, 'pads', int64s(node.attrs.pads))];
    if (mode === 'constant') inputs.push(ctx.constant(node, 'value', scalarOf(dtype, node.attrs.value ?? 0)));
    return { opType: 'Pad', inputs, attrs: [{ name: 'mode', kind: 'string', value: mode }] };
  },
  Constant: (node) => ({ opType: 'Constant', inputs: [], attrs: [{ name: 'value', kind: 'tensor', value: node.attrs.value }] }),
};

function dtypeCode(dtype: DType): number {
  return DTYPE_INFO[dtype].onnx;
}

/** Lowers one node for `ctx.opset`. */
export function lowerNode(node: Node, ctx: LowerCtx): LoweredNode {
  const lower = LOWER[node.op] as Lower<OpType>;
  return lower(node as NodeOf<OpType>, ctx);
}
