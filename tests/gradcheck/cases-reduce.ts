// Gradcheck cases for reductions (keepdims both ways, negative axes, all axes), CumSum, Softmax,
// LogSoftmax, LayerNormalization, InstanceNormalization and GraphBuilder's group norm.
import type { GraphBuilder } from '../../src/engine/ir/builder';
import type { Value } from '../../src/engine/ir/graph';
import type { GradCase, InputKind } from './harness';
import { Rng } from './rng';

type Reducer = (b: GraphBuilder, x: Value, axes: readonly number[] | undefined, keep: boolean) => Value;

function reductionVariants(op: string, fn: Reducer, r: Rng, kind: InputKind = 'normal'): GradCase[] {
  const shape = [r.int(2, 3), 1, r.int(2, 4), r.int(2, 3)];
  const variants: [number[] | undefined, boolean][] = [[[2], true], [[-1, 0], false], [undefined, false], [[1, 2], true]];
  return variants.map(([axes, keep]) => ({
    op,
    name: `[${shape}] axes ${axes ? `[${axes}]` : 'all'} keepdims ${keep ? 1 : 0}`,
    inputs: [{ name: 'x', shape, kind }],
    build: (b, [x]) => fn(b, x as Value, axes, keep),
  }));
}

function axisCases(op: string, fn: (b: GraphBuilder, x: Value, axis: number) => Value, r: Rng): GradCase[] {
  const shape = [r.int(2, 3), r.int(2, 4), r.int(1, 3)];
  return [-1, 1, 0].map((axis) => ({ op, name: `[${shape}] axis ${axis}`, inputs: [{ name: 'x', shape }], build: (b, [x]) => fn(b, x as Value, axis) }));
}

function cumSumCases(r: Rng): GradCase[] {
  const shape = [r.int(2, 4), r.int(3, 5)];
  const flags: [number, boolean, boolean][] = [[1, false, false], [-1, true, false], [0, false, true], [-2, true, true]];
  return flags.map(([axis, exclusive, reverse]) => ({
    op: 'CumSum', name: `[${shape}] axis ${axis} exclusive ${exclusive} reverse ${reverse}`, inputs: [{ name: 'x', shape }],
    build: (b, [x]) => b.cumSum(x as Value, axis, { exclusive, reverse }),
  }));
}

function normCases(r: Rng): GradCase[] {
  // At least 3 normalised elements: with 2, x-hat is nearly ±1 and onnxruntime's float64 LayerNorm
  // (variance as E[x²]-E[x]²) is too noisy for a 1e-6 difference check of the tiny x-gradient.
  const [n, c, h] = [r.int(2, 3), r.int(3, 5), r.int(3, 4)];
  return [
    { op: 'LayerNormalization', name: `[${n},${h},${c}] axis -1`, inputs: [{ name: 'x', shape: [n, h, c] }, { name: 's', shape: [c] }, { name: 'b', shape: [c] }], build: (b, [x, s, bias]) => b.layerNorm(x as Value, s as Value, bias, { axis: -1 }) },
    { op: 'LayerNormalization', name: `[${n},${h},${c}] axis 1, no bias`, inputs: [{ name: 'x', shape: [n, h, c] }, { name: 's', shape: [h, c] }], build: (b, [x, s]) => b.layerNorm(x as Value, s as Value, undefined, { axis: 1, epsilon: 1e-3 }) },
    { op: 'LayerNormalization', name: `[${n},${c}] axis 0 (every axis)`, inputs: [{ name: 'x', shape: [n, c] }, { name: 's', shape: [n, c] }, { name: 'b', shape: [n, c] }], build: (b, [x, s, bias]) => b.layerNorm(x as Value, s as Value, bias, { axis: 0 }) },
    { op: 'InstanceNormalization', name: `[${n},${c},${h},${h}]`, inputs: [{ name: 'x', shape: [n, c, h, h] }, { name: 's', shape: [c] }, { name: 'b', shape: [c] }], build: (b, [x, s, bias]) => b.instanceNorm(x as Value, s as Value, bias as Value) },
    { op: 'InstanceNormalization', name: `[1,${c},${h}] 1-D`, inputs: [{ name: 'x', shape: [1, c, h] }, { name: 's', shape: [c] }, { name: 'b', shape: [c] }], build: (b, [x, s, bias]) => b.instanceNorm(x as Value, s as Value, bias as Value, 1e-3) },
    { op: 'GroupNorm (composite)', name: `[${n},4,${h},${h}] 2 groups`, inputs: [{ name: 'x', shape: [n, 4, h, h] }, { name: 's', shape: [4] }, { name: 'b', shape: [4] }], build: (b, [x, s, bias]) => b.groupNorm(x as Value, 2, s as Value, bias as Value) },
  ];
}

export function reductionCases(seed: number): GradCase[] {
  const r = new Rng(seed + 2);
  return [
    ...reductionVariants('ReduceSum', (b, x, a, k) => b.reduceSum(x, a, k), r),
    ...reductionVariants('ReduceMean', (b, x, a, k) => b.reduceMean(x, a, k), r),
    ...reductionVariants('ReduceMax', (b, x, a, k) => b.reduceMax(x, a, k), r, 'spaced'),
    ...reductionVariants('ReduceMin', (b, x, a, k) => b.reduceMin(x, a, k), r, 'spaced'),
    ...reductionVariants('ReduceLogSumExp', (b, x, a, k) => b.logSumExp(x, a, k), r),
    ...cumSumCases(r),
    ...axisCases('Softmax', (b, x, axis) => b.softmax(x, axis), r),
    ...axisCases('LogSoftmax', (b, x, axis) => b.logSoftmax(x, axis), r),
    ...normCases(r),
  ];
}
