// OpBuilder: one method per IR op, with ONNX semantics and defaults (reductions keep dims unless
// told otherwise, Softmax on the last axis). Numbers mixed with tensors become scalars of the
// tensor's dtype. Composite layers (silu, gelu, groupNorm, linear...) live in builder.ts.
import type { DType } from '../core/dtype';
import { EngineError } from '../core/errors';
import { numel } from '../core/shape';
import { GraphCore } from './builder-core';
import type { Operand } from './builder-core';
import type { Value } from './graph';
import { resolveReshape } from './infer/index';
import type { AttrsOf } from './ops';

type Binary = 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow' | 'Max' | 'Min' | 'Equal' | 'Less' | 'Greater' | 'LessOrEqual' | 'GreaterOrEqual' | 'And' | 'Or';
type Unary = 'Neg' | 'Sqrt' | 'Reciprocal' | 'Exp' | 'Log' | 'Abs' | 'Sign' | 'Floor' | 'Ceil' | 'Sigmoid' | 'Tanh' | 'Relu' | 'Erf' | 'Sin' | 'Cos' | 'Identity' | 'Not';
type Reduce = 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceMin' | 'ReduceLogSumExp';

export class OpBuilder extends GraphCore {
  protected binary(op: Binary, a: Operand, b: Operand): Value {
    return this.op1(op, this.operands([a, b], op), {});
  }

  protected unary(op: Unary, x: Value): Value {
    return this.op1(op, [x], {});
  }

  add(a: Operand, b: Operand): Value { return this.binary('Add', a, b); }
  sub(a: Operand, b: Operand): Value { return this.binary('Sub', a, b); }
  mul(a: Operand, b: Operand): Value { return this.binary('Mul', a, b); }
  div(a: Operand, b: Operand): Value { return this.binary('Div', a, b); }
  pow(a: Operand, b: Operand): Value { return this.binary('Pow', a, b); }
  max(a: Operand, b: Operand): Value { return this.binary('Max', a, b); }
  min(a: Operand, b: Operand): Value { return this.binary('Min', a, b); }
  equal(a: Operand, b: Operand): Value { return this.binary('Equal', a, b); }
  less(a: Operand, b: Operand): Value { return this.binary('Less', a, b); }
  greater(a: Operand, b: Operand): Value { return this.binary('Greater', a, b); }
  lessOrEqual(a: Operand, b: Operand): Value { return this.binary('LessOrEqual', a, b); }
  greaterOrEqual(a: Operand, b: Operand): Value { return this.binary('GreaterOrEqual', a, b); }
  and(a: Value, b: Value): Value { return this.binary('And', a, b); }
  or(a: Value, b: Value): Value { return this.binary('Or', a, b); }
  not(x: Value): Value { return this.unary('Not', x); }

  /** cond ? x : y, broadcasting all three; numbers take the dtype of the other branch. */
  where(cond: Value, x: Operand, y: Operand): Value {
    return this.op1('Where', [cond, ...this.operands([x, y], 'Where')], {});
  }

  neg(x: Value): Value { return this.unary('Neg', x); }
  sqrt(x: Value): Value { return this.unary('Sqrt', x); }
  reciprocal(x: Value): Value { return this.unary('Reciprocal', x); }
  exp(x: Value): Value { return this.unary('Exp', x); }
  log(x: Value): Value { return this.unary('Log', x); }
  abs(x: Value): Value { return this.unary('Abs', x); }
  sign(x: Value): Value { return this.unary('Sign', x); }
  floor(x: Value): Value { return this.unary('Floor', x); }
  ceil(x: Value): Value { return this.unary('Ceil', x); }
  sigmoid(x: Value): Value { return this.unary('Sigmoid', x); }
  tanh(x: Value): Value { return this.unary('Tanh', x); }
  relu(x: Value): Value { return this.unary('Relu', x); }
  erf(x: Value): Value { return this.unary('Erf', x); }
  sin(x: Value): Value { return this.unary('Sin', x); }
  cos(x: Value): Value { return this.unary('Cos', x); }
  identity(x: Value): Value { return this.unary('Identity', x); }

  clip(x: Value, min?: number, max?: number): Value {
    const attrs: AttrsOf<'Clip'> = {};
    if (min !== undefined) attrs.min = min;
    if (max !== undefined) attrs.max = max;
    return this.op1('Clip', [x], attrs);
  }

  cast(x: Value, to: DType): Value {
    return this.op1('Cast', [x], { to });
  }

  matmul(a: Value, b: Value): Value { return this.op1('MatMul', [a, b], {}); }

  gemm(a: Value, b: Value, c?: Value, attrs: AttrsOf<'Gemm'> = {}): Value {
    return this.op1('Gemm', c ? [a, b, c] : [a, b], attrs);
  }

  conv(x: Value, w: Value, bias?: Value, attrs: AttrsOf<'Conv'> = {}): Value {
    return this.op1('Conv', bias ? [x, w, bias] : [x, w], attrs);
  }

  convTranspose(x: Value, w: Value, bias?: Value, attrs: AttrsOf<'ConvTranspose'> = {}): Value {
    return this.op1('ConvTranspose', bias ? [x, w, bias] : [x, w], attrs);
  }

  /** Nearest-neighbour resize by per-axis scales (PyTorch interpolate mode='nearest'). */
  resize(x: Value, scales: readonly number[]): Value {
    return this.op1('Resize', [x], { scales, mode: 'nearest' });
  }

  protected reduce(op: Reduce, x: Value, axes: readonly number[] | undefined, keepdims: boolean): Value {
    const attrs: AttrsOf<'ReduceSum'> = { keepdims: keepdims ? 1 : 0 };
    if (axes) attrs.axes = axes;
    return this.op1(op, [x], attrs);
  }

  /** Sum over `axes` (all axes when omitted); keeps reduced axes as size 1 unless keepdims is false. */
  reduceSum(x: Value, axes?: readonly number[], keepdims = true): Value { return this.reduce('ReduceSum', x, axes, keepdims); }
  reduceMean(x: Value, axes?: readonly number[], keepdims = true): Value { return this.reduce('ReduceMean', x, axes, keepdims); }
  reduceMax(x: Value, axes?: readonly number[], keepdims = true): Value { return this.reduce('ReduceMax', x, axes, keepdims); }
  reduceMin(x: Value, axes?: readonly number[], keepdims = true): Value { return this.reduce('ReduceMin', x, axes, keepdims); }
  logSumExp(x: Value, axes?: readonly number[], keepdims = true): Value { return this.reduce('ReduceLogSumExp', x, axes, keepdims); }

  argMax(x: Value, axis = 0, keepdims = true): Value { return this.op1('ArgMax', [x], { axis, keepdims: keepdims ? 1 : 0 }); }
  argMin(x: Value, axis = 0, keepdims = true): Value { return this.op1('ArgMin', [x], { axis, keepdims: keepdims ? 1 : 0 }); }

  /** [values, int64 indices] of the k largest (or smallest) entries along `axis`, sorted. */
  topK(x: Value, k: number, axis = -1, largest = true): [Value, Value] {
    const [values, indices] = this.op('TopK', [x], { k, axis, largest: largest ? 1 : 0, sorted: 1 });
    if (!values || !indices) throw new EngineError('graph-invalid', 'TopK must produce two outputs.', { op: 'TopK' });
    return [values, indices];
  }

  cumSum(x: Value, axis: number, options: { exclusive?: boolean; reverse?: boolean } = {}): Value {
    return this.op1('CumSum', [x], { axis, exclusive: options.exclusive ? 1 : 0, reverse: options.reverse ? 1 : 0 });
  }

  softmax(x: Value, axis = -1): Value { return this.op1('Softmax', [x], { axis }); }
  logSoftmax(x: Value, axis = -1): Value { return this.op1('LogSoftmax', [x], { axis }); }

  /** LayerNormalization over axes [axis, rank); scale (and bias) have shape x.shape[axis:]. */
  layerNorm(x: Value, scale: Value, bias?: Value, options: { axis?: number; epsilon?: number } = {}): Value {
    return this.op1('LayerNormalization', bias ? [x, scale, bias] : [x, scale], { axis: options.axis ?? -1, epsilon: options.epsilon ?? 1e-5 });
  }

  instanceNorm(x: Value, scale: Value, bias: Value, epsilon = 1e-5): Value {
    return this.op1('InstanceNormalization', [x, scale, bias], { epsilon });
  }

  /** Reshape; one entry may be -1 and is resolved here, so the node records the static shape. */
  reshape(x: Value, shape: readonly number[]): Value {
    const resolved = resolveReshape(numel(x.type.shape), shape) ?? shape;
    return this.op1('Reshape', [x], { shape: resolved });
  }

  transpose(x: Value, perm?: readonly number[]): Value {
    return this.op1('Transpose', [x], perm ? { perm } : {});
  }

  concat(xs: readonly Value[], axis: number): Value { return this.op1('Concat', xs, { axis }); }

  split(x: Value, sizes: readonly number[], axis = 0): Value[] { return this.op('Split', [x], { axis, split: sizes }); }

  slice(x: Value, starts: readonly number[], ends: readonly number[], axes?: readonly number[], steps?: readonly number[]): Value {
    const attrs: AttrsOf<'Slice'> = { starts, ends };
    if (axes) attrs.axes = axes;
    if (steps) attrs.steps = steps;
    return this.op1('Slice', [x], attrs);
  }

  gather(x: Value, indices: Value, axis = 0): Value { return this.op1('Gather', [x, indices], { axis }); }
  gatherElements(x: Value, indices: Value, axis = 0): Value { return this.op1('GatherElements', [x, indices], { axis }); }

  scatterElements(x: Value, indices: Value, updates: Value, axis = 0, reduction: AttrsOf<'ScatterElements'>['reduction'] = 'none'): Value {
    return this.op1('ScatterElements', [x, indices, updates], { axis, reduction });
  }

  scatterND(x: Value, indices: Value, updates: Value, reduction: AttrsOf<'ScatterND'>['reduction'] = 'none'): Value {
    return this.op1('ScatterND', [x, indices, updates], { reduction });
  }

  expand(x: Value, shape: readonly number[]): Value { return this.op1('Expand', [x], { shape }); }
  unsqueeze(x: Value, axes: readonly number[]): Value { return this.op1('Unsqueeze', [x], { axes }); }
  squeeze(x: Value, axes?: readonly number[]): Value { return this.op1('Squeeze', [x], axes ? { axes } : {}); }
  tile(x: Value, repeats: readonly number[]): Value { return this.op1('Tile', [x], { repeats }); }

  pad(x: Value, pads: readonly number[], mode: AttrsOf<'Pad'>['mode'] = 'constant', value = 0): Value {
    return this.op1('Pad', [x], { pads, mode, value });
  }

}
