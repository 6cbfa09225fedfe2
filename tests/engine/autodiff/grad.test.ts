// The autodiff walker: exact gradients on small graphs, gradients only for requested inputs,
// fan-out summed, broadcasting undone, seeds, refusals that name the node, and a pinned backward IR.
import { describe, expect, it } from 'vitest';
import { grad } from '../../../src/engine/autodiff/grad';
import { EngineError } from '../../../src/engine/core/errors';
import { GraphBuilder } from '../../../src/engine/ir/builder';
import type { Graph } from '../../../src/engine/ir/graph';
import { printGraph } from '../../../src/engine/ir/printer';
import { hostTensor } from '../../../src/engine/runtime/tensor';
import { runGraph } from './run-graph';

const f64 = (dims: number[], values: number[]) => hostTensor('float64', dims, Float64Array.from(values));
const backwardOps = (g: Graph, op: string): number => g.nodes.filter((n) => n.op === op && n.name.startsWith('backward/')).length;

function linearModel(): Graph {
  const b = new GraphBuilder('linear');
  const x = b.input('x', 'float64', [2, 3]);
  const w = b.input('w', 'float64', [3]);
  const z = b.input('z', 'float64', [2, 3]);
  const y = b.add(b.mul(x, w), b.mul(z, 2));
  b.output(b.reduceSum(y, undefined, false), 'loss');
  return b.build();
}

describe('grad', () => {
  it('computes exact gradients and undoes broadcasting in the input shape', async () => {
    const g = grad(linearModel(), { loss: 'loss', wrt: ['x', 'w', 'x'] });
    expect(g.outputs.map((o) => o.name)).toEqual(['loss', 'grad/x', 'grad/w']);
    const out = await runGraph(g, { x: f64([2, 3], [1, 2, 3, 4, 5, 6]), w: f64([3], [10, 20, 30]), z: f64([2, 3], [0, 0, 0, 0, 0, 0]) });
    expect(out['grad/x']).toEqual(f64([2, 3], [10, 20, 30, 10, 20, 30]));
    expect(out['grad/w']).toEqual(f64([3], [5, 7, 9]));
  });

  it('emits gradients only for the requested inputs', () => {
    const forward = linearModel();
    const onlyX = grad(forward, { loss: 'loss', wrt: ['x'] });
    const both = grad(forward, { loss: 'loss', wrt: ['x', 'w'] });
    expect(onlyX.outputs.map((o) => o.name)).toEqual(['loss', 'grad/x']);
    expect(backwardOps(onlyX, 'Mul')).toBe(1);
    expect(backwardOps(both, 'Mul')).toBe(2);
    expect(onlyX.nodes.some((n) => n.name.startsWith('backward/Mul_') && n.inputs.some((v) => v.name === 'x'))).toBe(false);
  });

  it('sums fan-out with Add', async () => {
    const b = new GraphBuilder('fanout');
    const x = b.input('x', 'float64', [3]);
    b.output(b.reduceSum(b.add(b.mul(x, x), b.exp(x)), undefined, false), 'loss');
    const g = grad(b.build(), { loss: 'loss', wrt: ['x'] });
    const out = await runGraph(g, { x: f64([3], [-1, 0, 2]) });
    [-1, 0, 2].forEach((v, i) => expect(out['grad/x']?.data[i]).toBeCloseTo(2 * v + Math.exp(v), 12));
  });

  it('gives zeros for an input the loss does not depend on, and for a path through indices', async () => {
    const b = new GraphBuilder('disconnected');
    const x = b.input('x', 'float64', [2]);
    const u = b.input('u', 'float64', [2]);
    b.output(b.reduceSum(b.add(b.mul(x, 3), b.cast(b.argMax(u, 0), 'float64')), undefined, false), 'loss');
    const out = await runGraph(grad(b.build(), { loss: 'loss', wrt: ['x', 'u'] }), { x: f64([2], [1, 2]), u: f64([2], [5, 1]) });
    expect(out['grad/x']).toEqual(f64([2], [3, 3]));
    expect(out['grad/u']).toEqual(f64([2], [0, 0]));
  });

  it('takes the seed as a new graph input (to chain graphs) and honours it', async () => {
    const b = new GraphBuilder('seeded');
    const x = b.input('x', 'float64', [2]);
    b.output(b.mul(x, x), 'y');
    const g = grad(b.build(), { loss: 'y', wrt: ['x'], seed: 'input' });
    expect(g.inputs.map((v) => v.name)).toEqual(['x', 'grad/seed']);
    const out = await runGraph(g, { x: f64([2], [3, 4]), 'grad/seed': f64([2], [1, -0.5]) });
    expect(out['grad/x']).toEqual(f64([2], [6, -4]));
  });

  it('splits a Max tie evenly, as PyTorch does', async () => {
    const b = new GraphBuilder('tie');
    const a = b.input('a', 'float64', [2]);
    const c = b.input('c', 'float64', [2]);
    b.output(b.reduceSum(b.max(a, c), undefined, false), 'loss');
    const out = await runGraph(grad(b.build(), { loss: 'loss', wrt: ['a', 'c'] }), { a: f64([2], [1, 5]), c: f64([2], [1, 2]) });
    expect(out['grad/a']).toEqual(f64([2], [0.5, 1]));
    expect(out['grad/c']).toEqual(f64([2], [0.5, 0]));
  });

  it('refuses to differentiate through a noGrad op, naming the node', () => {
    const b = new GraphBuilder('topk');
    const x = b.input('x', 'float32', [4]);
    const [values] = b.scope('router', () => b.topK(x, 2));
    b.output(b.reduceSum(values, undefined, false), 'loss');
    const run = () => grad(b.build(), { loss: 'loss', wrt: ['x'] });
    expect(run).toThrow(EngineError);
    expect(run).toThrow(/TopK node 'router\/TopK/);
    try { run(); } catch (e) { expect((e as EngineError).code).toBe('no-gradient'); }
  });

  it('refuses attributes a rule does not cover and rejects bad requests', () => {
    const b = new GraphBuilder('refuse');
    const x = b.input('x', 'float32', [1, 1, 4]);
    b.output(b.reduceSum(b.pad(x, [0, 0, 1, 0, 0, 1], 'reflect'), undefined, false), 'loss');
    const g = b.build();
    expect(() => grad(g, { loss: 'loss', wrt: ['x'] })).toThrow(/pad mode 'reflect' has no gradient rule/);
    expect(() => grad(g, { loss: 'nope', wrt: ['x'] })).toThrow(/No output or value named 'nope'/);
    const ints = new GraphBuilder('ints');
    const i = ints.input('i', 'int64', [2]);
    ints.output(ints.reduceSum(ints.cast(i, 'float32'), undefined, false), 'loss');
    expect(() => grad(ints.build(), { loss: 'loss', wrt: ['i'] })).toThrow(/gradients exist only for float values/);
  });

  it('writes a readable backward graph (pinned through the printer)', () => {
    const b = new GraphBuilder('tanh_w');
    const x = b.input('x', 'float32', [2, 3]);
    const w = b.input('w', 'float32', [3]);
    b.output(b.reduceSum(b.mul(b.tanh(x), w), undefined, false), 'loss');
    expect(printGraph(grad(b.build(), { loss: 'loss', wrt: ['x'] }))).toBe([
      'graph tanh_w(%x: float32[2,3], %w: float32[3]) {',
      '  %Tanh_0: float32[2,3] = Tanh(%x)',
      '  %Mul_1: float32[2,3] = Mul(%Tanh_0, %w)',
      '  %ReduceSum_2: float32[] = ReduceSum[keepdims=0](%Mul_1)',
      '  %backward/seed/Constant_3: float32[] = Constant[value=float32[] {1}]()',
      '  %backward/ReduceSum_2/Reshape_4: float32[1,1] = Reshape[shape=[1,1]](%backward/seed/Constant_3)',
      '  %backward/ReduceSum_2/Expand_5: float32[2,3] = Expand[shape=[2,3]](%backward/ReduceSum_2/Reshape_4)',
      '  %backward/Mul_1/Mul_6: float32[2,3] = Mul(%backward/ReduceSum_2/Expand_5, %w)',
      '  %backward/Tanh_0/Mul_7: float32[2,3] = Mul(%Tanh_0, %Tanh_0)',
      '  %backward/Tanh_0/Constant_8: float32[] = Constant[value=float32[] {1}]()',
      '  %backward/Tanh_0/Sub_9: float32[2,3] = Sub(%backward/Tanh_0/Constant_8, %backward/Tanh_0/Mul_7)',
      '  %backward/Tanh_0/Mul_10: float32[2,3] = Mul(%backward/Mul_1/Mul_6, %backward/Tanh_0/Sub_9)',
      '  return loss = %ReduceSum_2, grad/x = %backward/Tanh_0/Mul_10',
      '}',
    ].join('\n'));
  });
});
