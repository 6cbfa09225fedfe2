// The opset table: one graph using every op whose ONNX signature moved between opsets (reduction
// axes, Split sizes, (Un)Squeeze axes, Clip bounds, Resize scales, TopK k, Pad, CumSum axis, scatter
// reductions) gives the same results on onnxruntime at opsets 16, 17, 18 and 21.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src/engine/ir/builder';
import type { Graph } from '../../../src/engine/ir/graph';
import { eliminateDeadCode } from '../../../src/engine/ir/passes';
import { feed, randomFloats, runGraph } from './run-graph';

function signatureGraph(): Graph {
  const b = new GraphBuilder('signatures');
  const x = b.input('x', 'float32', [2, 3, 4]);
  b.output(b.reduceSum(x, [2], false), 'sum');
  b.output(b.reduceMean(x, [1]), 'mean');
  b.output(b.reduceMax(x, [0, 2], false), 'max');
  b.output(b.reduceMin(x), 'min');
  b.output(b.logSumExp(x, [-1]), 'lse');
  const [a, c] = b.split(x, [1, 3], 2);
  if (!a || !c) throw new Error('split gave too few values');
  b.output(b.squeeze(a, [2]), 'squeezed');
  b.output(b.unsqueeze(c, [0]), 'unsqueezed');
  b.output(b.clip(x, -0.2, 0.3), 'clip');
  b.output(b.resize(x, [1, 2, 0.5]), 'resize');
  b.output(b.topK(x, 2, 1)[0], 'top');
  b.output(b.pad(x, [0, 1, 0, 0, 0, 2], 'constant', 7), 'pad');
  b.output(b.cumSum(x, 2, { exclusive: true }), 'cumsum');
  const ids = b.constant('int64', [2, 3, 1], [0, 1, 2, 3, 0, 1]);
  b.output(b.scatterElements(x, ids, b.slice(x, [0], [1], [2]), 2, 'add'), 'scatter');
  b.output(b.layerNorm(x, b.constant('float32', [4], [1, 2, 3, 4])), 'layerNorm');
  return b.build();
}

describe('opset table', () => {
  it('gives identical results at opsets 16 (no LayerNormalization), 17, 18 and 21', async () => {
    const graph = signatureGraph();
    const x = feed('float32', [2, 3, 4], new Float32Array(randomFloats(24, 71)));
    const reference = await runGraph(graph, { x }, { opset: 17 });
    expect(Object.keys(reference)).toHaveLength(14);
    for (const opset of [18, 21]) expect(await runGraph(graph, { x }, { opset })).toEqual(reference);
    const withoutLn = eliminateDeadCode({ ...graph, outputs: graph.outputs.filter((o) => o.name !== 'layerNorm') });
    const { layerNorm: _dropped, ...rest } = reference;
    const at16 = await runGraph(withoutLn, { x }, { opset: 16 });
    expect(at16).toEqual(rest);
  });
});
