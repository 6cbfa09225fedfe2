// Data-movement ops emitted at opset 17 (constant inputs for shape/axes/bounds) run on onnxruntime and
// match index arithmetic done here.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src/engine/ir/builder';
import { expectClose, feed, runGraph } from './run-graph';

const iota = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('data movement', () => {
  it('reshape, transpose, concat, split, slice, expand, (un)squeeze, tile, pad', async () => {
    const b = new GraphBuilder('movement');
    const x = b.input('x', 'float32', [2, 3]);
    b.output(b.reshape(x, [3, -1]), 'reshape');
    b.output(b.transpose(x), 'transpose');
    b.output(b.concat([x, x], 1), 'concat');
    const [s0, s1] = b.split(x, [1, 2], 1);
    if (!s0 || !s1) throw new Error('split returned too few values');
    b.output(s0, 's0');
    b.output(s1, 's1');
    b.output(b.slice(x, [1, 2], [2, -4], [0, 1], [1, -1]), 'slice');
    b.output(b.expand(b.unsqueeze(x, [0]), [2, 2, 3]), 'expand');
    b.output(b.squeeze(b.unsqueeze(x, [1, 3])), 'squeeze');
    b.output(b.tile(x, [1, 2]), 'tile');
    b.output(b.pad(x, [0, 1, 0, 1], 'constant', -1), 'pad');
    b.output(b.pad(x, [0, 1, 0, 0], 'edge'), 'padEdge');
    const xs = iota(6);
    const out = await runGraph(b.build(), { x: feed('float32', [2, 3], new Float32Array(xs)) });
    expect(out.reshape).toEqual({ dims: [3, 2], values: xs });
    expect(out.transpose).toEqual({ dims: [3, 2], values: [0, 3, 1, 4, 2, 5] });
    expect(out.concat).toEqual({ dims: [2, 6], values: [0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5] });
    expect(out.s0).toEqual({ dims: [2, 1], values: [0, 3] });
    expect(out.s1).toEqual({ dims: [2, 2], values: [1, 2, 4, 5] });
    expect(out.slice).toEqual({ dims: [1, 3], values: [5, 4, 3] });
    expect(out.expand).toEqual({ dims: [2, 2, 3], values: [...xs, ...xs] });
    expect(out.squeeze).toEqual({ dims: [2, 3], values: xs });
    expect(out.tile).toEqual({ dims: [2, 6], values: [0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5] });
    expect(out.pad).toEqual({ dims: [2, 5], values: [-1, 0, 1, 2, -1, -1, 3, 4, 5, -1] });
    expect(out.padEdge).toEqual({ dims: [2, 4], values: [0, 0, 1, 2, 3, 3, 4, 5] });
  });

  it('gather, gatherElements, scatterElements (add), scatterND and constants', async () => {
    const b = new GraphBuilder('indexing');
    const table = b.input('table', 'float32', [4, 2]);
    const ids = b.input('ids', 'int64', [3]);
    b.output(b.gather(table, ids), 'gather');
    const cols = b.constant('int64', [4, 1], [1, 0, 1, 1]);
    b.output(b.gatherElements(table, cols, 1), 'gatherElements');
    const zeros = b.constant('float32', [4], [0, 0, 0, 0]);
    b.output(b.scatterElements(zeros, ids, b.constant('float32', [3], [1, 2, 3]), 0, 'add'), 'scatterAdd');
    const ndIdx = b.constant('int64', [1, 1], [2]);
    b.output(b.scatterND(table, ndIdx, b.constant('float32', [1, 2], [9, 9])), 'scatterND');
    const out = await runGraph(b.build(), {
      table: feed('float32', [4, 2], new Float32Array(iota(8))),
      ids: feed('int64', [3], new BigInt64Array([3n, 0n, 3n])),
    });
    expect(out.gather).toEqual({ dims: [3, 2], values: [6, 7, 0, 1, 6, 7] });
    expect(out.gatherElements).toEqual({ dims: [4, 1], values: [1, 2, 5, 7] });
    expect(out.scatterAdd).toEqual({ dims: [4], values: [2, 0, 0, 4] });
    expectClose(out.scatterND?.values ?? [], [0, 1, 2, 3, 9, 9, 6, 7], 0);
  });
});
