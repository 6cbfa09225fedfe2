// Gradcheck cases for data movement: Reshape, Transpose, Concat, Split (an output unused), Slice
// (steps, negative steps and starts, clamped ends), Gather/GatherElements with repeated and negative
// indices, ScatterElements/ScatterND, Expand, (Un)Squeeze, Tile and Pad (including a crop).
import type { Value } from '../../src/engine/ir/graph';
import type { GradCase } from './harness';
import { Rng } from './rng';

const v = (x: Value | undefined): Value => x as Value;

function sliceCases(r: Rng): GradCase[] {
  const shape = [r.int(5, 7), r.int(4, 6)];
  const specs: [number[], number[], number[] | undefined, number[] | undefined][] = [
    [[1], [4], [0], undefined],
    [[0, 1], [100, -1], [0, 1], [2, 2]],
    [[-1], [-100], [1], [-1]],
    [[-2, 4], [0, 0], [-2, 1], [-2, -3]],
    [[1], [1], [0], undefined],
    [[0], [5], [-1], [3]],
  ];
  return specs.map(([starts, ends, axes, steps]) => ({
    op: 'Slice',
    name: `[${shape}] starts ${starts} ends ${ends} axes ${axes ?? 'default'} steps ${steps ?? 1}`,
    inputs: [{ name: 'x', shape }],
    build: (b, [x]) => b.slice(v(x), starts, ends, axes, steps),
  }));
}

function gatherCases(r: Rng): GradCase[] {
  const [n, d] = [r.int(3, 5), r.int(2, 4)];
  return [
    { op: 'Gather', name: `[${n},${d}] axis 0, repeated and negative indices [2,3]`, inputs: [{ name: 'x', shape: [n, d] }, { name: 'i', shape: [2, 3], ints: [0, 2, -1, 2, 0, 1] }], build: (b, [x, i]) => b.gather(v(x), v(i), 0) },
    { op: 'Gather', name: `[2,${n},${d}] axis -2, scalar index`, inputs: [{ name: 'x', shape: [2, n, d] }, { name: 'i', shape: [], ints: [1] }], build: (b, [x, i]) => b.gather(v(x), v(i), -2) },
    { op: 'Gather', name: `[2,${d},${n}] axis 2`, inputs: [{ name: 'x', shape: [2, d, n] }, { name: 'i', shape: [4], ints: [n - 1, 0, 0, 1] }], build: (b, [x, i]) => b.gather(v(x), v(i), 2) },
    { op: 'GatherElements', name: '[3,3] axis 1, repeats', inputs: [{ name: 'x', shape: [3, 3] }, { name: 'i', shape: [3, 2], ints: [0, 0, 2, 1, -1, 0] }], build: (b, [x, i]) => b.gatherElements(v(x), v(i), 1) },
    { op: 'ScatterElements', name: '[3,4] axis 0 none (unique indices)', inputs: [{ name: 'x', shape: [3, 4] }, { name: 'i', shape: [2, 4], ints: [0, 2, 1, 0, 2, 0, 0, 1] }, { name: 'u', shape: [2, 4] }], build: (b, [x, i, u]) => b.scatterElements(v(x), v(i), v(u), 0) },
    { op: 'ScatterElements', name: '[3,4] axis -1 add (repeats)', inputs: [{ name: 'x', shape: [3, 4] }, { name: 'i', shape: [3, 2], ints: [1, 1, 0, 3, 2, -1] }, { name: 'u', shape: [3, 2] }], build: (b, [x, i, u]) => b.scatterElements(v(x), v(i), v(u), -1, 'add') },
    { op: 'ScatterND', name: '[4,3] rows, data only', inputs: [{ name: 'x', shape: [4, 3] }, { name: 'i', shape: [2, 1], ints: [3, 1] }, { name: 'u', shape: [2, 3] }], wrt: ['x'], build: (b, [x, i, u]) => b.scatterND(v(x), v(i), v(u)) },
  ];
}

function shapeCases(r: Rng): GradCase[] {
  const [a, b2, c] = [r.int(2, 3), r.int(2, 4), r.int(1, 3)];
  const x = { name: 'x', shape: [a, b2, c] };
  return [
    { op: 'Reshape', name: `[${a},${b2},${c}] -> [${b2},-1]`, inputs: [x], build: (b, [t]) => b.reshape(v(t), [b2, -1]) },
    { op: 'Transpose', name: 'perm [2,0,1]', inputs: [x], build: (b, [t]) => b.transpose(v(t), [2, 0, 1]) },
    { op: 'Transpose', name: 'default (reverse)', inputs: [x], build: (b, [t]) => b.transpose(v(t)) },
    { op: 'Concat', name: 'axis 1 of three', inputs: [x, { name: 'y', shape: [a, 1, c] }, { name: 'z', shape: [a, 3, c] }], build: (b, [t, y, z]) => b.concat([v(t), v(y), v(z)], 1) },
    { op: 'Concat', name: 'axis -1, same input twice', inputs: [x], build: (b, [t]) => b.concat([v(t), b.neg(v(t))], -1) },
    { op: 'Split', name: 'axis 1, all outputs used', inputs: [{ name: 'x', shape: [a, 5] }], build: (b, [t]) => b.split(v(t), [2, 1, 2], 1) },
    { op: 'Split', name: 'axis -1, middle output unused', inputs: [{ name: 'x', shape: [a, 5] }], build: (b, [t]) => { const parts = b.split(v(t), [2, 1, 2], -1); return [v(parts[0]), v(parts[2])]; } },
    { op: 'Expand', name: `[${a},1,${c}] -> [2,${a},${b2},${c}]`, inputs: [{ name: 'x', shape: [a, 1, c] }], build: (b, [t]) => b.expand(v(t), [2, a, b2, c]) },
    { op: 'Expand', name: 'scalar -> [2,3]', inputs: [{ name: 'x', shape: [] }], build: (b, [t]) => b.expand(v(t), [2, 3]) },
    { op: 'Unsqueeze', name: 'axes [0,-1]', inputs: [x], build: (b, [t]) => b.unsqueeze(v(t), [0, -1]) },
    { op: 'Squeeze', name: 'axes [1]', inputs: [{ name: 'x', shape: [a, 1, c] }], build: (b, [t]) => b.squeeze(v(t), [1]) },
    { op: 'Squeeze', name: 'all size-1 axes', inputs: [{ name: 'x', shape: [1, a, 1] }], build: (b, [t]) => b.squeeze(v(t)) },
    { op: 'Tile', name: 'repeats [2,1,3]', inputs: [x], build: (b, [t]) => b.tile(v(t), [2, 1, 3]) },
    { op: 'Pad', name: 'constant, asymmetric', inputs: [x], build: (b, [t]) => b.pad(v(t), [1, 0, 2, 0, 2, 1], 'constant', 0.5) },
    { op: 'Pad', name: 'negative pads (crop) and growth', inputs: [{ name: 'x', shape: [4, 5] }], build: (b, [t]) => b.pad(v(t), [-1, 2, 0, -2]) },
  ];
}

export function movementCases(seed: number): GradCase[] {
  const r = new Rng(seed + 3);
  return [...shapeCases(r), ...sliceCases(r), ...gatherCases(r)];
}
