// Static tensor shapes: element counts, axis normalisation, numpy-style broadcasting and the
// formatting error messages use. Shapes are plain readonly number arrays; a new batch size is a new graph.
import { EngineError } from './errors';
import type { ErrorDetails } from './errors';

export type Shape = readonly number[];

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Numpy broadcasting of any number of shapes; returns undefined where they do not broadcast. */
export function tryBroadcastShapes(...shapes: Shape[]): number[] | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    const offset = rank - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i] ?? 1;
      const cur = out[offset + i] ?? 1;
      if (d === cur || d === 1) continue;
      if (cur !== 1) return undefined;
      out[offset + i] = d;
    }
  }
  return out;
}

/** Numpy broadcasting; throws EngineError('shape-mismatch') naming the shapes (plus `details`). */
export function broadcastShapes(shapes: readonly Shape[], details: ErrorDetails = {}): number[] {
  const out = tryBroadcastShapes(...shapes);
  if (!out) {
    throw new EngineError(
      'shape-mismatch',
      `Shapes ${shapes.map(formatShape).join(' and ')} do not broadcast: each axis (aligned from the right) must be equal or 1.`,
      { ...details, shapes: shapes.map((s) => [...s]) },
    );
  }
  return out;
}

/**
 * The axes over which `from` was broadcast to reach `to`: summing a gradient of shape `to` over
 * `reduce` (keepdims) and reshaping to `from` undoes the broadcast. `reduce` is in `to`'s axes;
 * `squeeze` lists the leading axes `from` lacked (already in `reduce`).
 */
export function broadcastReduction(from: Shape, to: Shape): { reduce: number[]; leading: number } {
  const leading = to.length - from.length;
  const reduce: number[] = [];
  for (let i = 0; i < to.length; i++) {
    if (i < leading) reduce.push(i);
    else if (from[i - leading] === 1 && to[i] !== 1) reduce.push(i);
  }
  return { reduce, leading };
}

/** Normalises a possibly negative axis against `rank`; undefined when out of range. */
export function tryNormalizeAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return Number.isInteger(a) && a >= 0 && a < rank ? a : undefined;
}

export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) strides[i] = (strides[i + 1] ?? 1) * (shape[i + 1] ?? 1);
  return strides;
}
