// Shared pieces of static shape/dtype inference: the per-node context that turns a failed check into
// an EngineError naming the op, the node and the input types, and small checks used by every rule.
import { isFloat } from '../../core/dtype';
import type { DType } from '../../core/dtype';
import { EngineError } from '../../core/errors';
import type { EngineErrorCode } from '../../core/errors';
import { broadcastShapes, formatShape, tryNormalizeAxis } from '../../core/shape';
import type { Shape } from '../../core/shape';
import type { TensorType } from '../graph';
import type { AttrsOf, OpType } from '../ops';

export type InferFn<O extends OpType> = (inputs: readonly TensorType[], attrs: AttrsOf<O>, ctx: InferCtx) => TensorType[];

export function formatType(t: TensorType): string {
  return `${t.dtype}${formatShape(t.shape)}`;
}

export class InferCtx {
  constructor(
    readonly op: OpType,
    readonly node: string,
    readonly inputs: readonly TensorType[],
  ) {}

  fail(code: EngineErrorCode, problem: string, extra: Record<string, unknown> = {}): never {
    const types = this.inputs.map(formatType).join(', ');
    throw new EngineError(code, `${this.op} node '${this.node}': ${problem} (inputs: ${types || 'none'}).`, {
      op: this.op,
      node: this.node,
      inputs: this.inputs.map((t) => ({ dtype: t.dtype, shape: [...t.shape] })),
      ...extra,
    });
  }

  shape(problem: string, extra: Record<string, unknown> = {}): never {
    return this.fail('shape-mismatch', problem, extra);
  }

  dtype(problem: string, extra: Record<string, unknown> = {}): never {
    return this.fail('dtype-mismatch', problem, extra);
  }

  invalid(problem: string, extra: Record<string, unknown> = {}): never {
    return this.fail('invalid-argument', problem, extra);
  }

  input(i: number): TensorType {
    return this.inputs[i] ?? this.invalid(`input ${i} is missing`);
  }

  /** All inputs must share one dtype; returns it. */
  sameDType(indices: readonly number[]): DType {
    const first = this.input(indices[0] ?? 0).dtype;
    for (const i of indices) {
      if (this.input(i).dtype !== first) {
        this.dtype(`inputs must share one dtype but input ${i} is ${this.input(i).dtype} and input ${indices[0] ?? 0} is ${first}; insert a Cast`);
      }
    }
    return first;
  }

  requireFloat(i: number): DType {
    const d = this.input(i).dtype;
    if (!isFloat(d)) this.dtype(`input ${i} must be a float type, got ${d}; cast it first`);
    return d;
  }

  requireNumeric(i: number): DType {
    const d = this.input(i).dtype;
    if (d === 'bool') this.dtype(`input ${i} must be numeric, got bool; cast it first`);
    return d;
  }

  requireDType(i: number, allowed: readonly DType[]): DType {
    const d = this.input(i).dtype;
    if (!allowed.includes(d)) this.dtype(`input ${i} must be ${allowed.join(' or ')}, got ${d}`);
    return d;
  }

  requireRank(i: number, min: number, max = min): Shape {
    const s = this.input(i).shape;
    if (s.length < min || s.length > max) {
      const want = min === max ? `${min}` : `${min}..${max}`;
      this.shape(`input ${i} must have rank ${want}, got ${formatShape(s)}`);
    }
    return s;
  }

  axis(axis: number, rank: number, what = 'axis'): number {
    const a = tryNormalizeAxis(axis, rank);
    if (a === undefined) this.invalid(`${what} ${axis} is out of range for rank ${rank}`, { axis });
    return a;
  }

  /** Normalised, distinct axes. */
  axes(axes: readonly number[], rank: number): number[] {
    const out = axes.map((a) => this.axis(a, rank));
    if (new Set(out).size !== out.length) this.invalid(`axes ${JSON.stringify(axes)} repeat an axis`, { axes });
    return out;
  }

  broadcast(shapes: readonly Shape[]): number[] {
    try {
      return broadcastShapes(shapes);
    } catch {
      return this.shape(`shapes ${shapes.map(formatShape).join(' and ')} do not broadcast (each axis, aligned from the right, must be equal or 1)`);
    }
  }

  /** Every entry must be a non-negative integer (or positive with `positive`). */
  ints(values: readonly number[], what: string, positive = false): void {
    for (const v of values) {
      if (!Number.isInteger(v) || v < (positive ? 1 : 0)) this.invalid(`${what} must be ${positive ? 'positive' : 'non-negative'} integers, got ${JSON.stringify(values)}`);
    }
  }
}
