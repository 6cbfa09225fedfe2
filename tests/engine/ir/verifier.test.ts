// The verifier catches bad graphs at build time with an EngineError naming the node (undefined
// inputs, cycles, disconnected outputs, unknown ops, tampered types, duplicate names); the builder
// continues existing graphs; DCE and CSE simplify graphs without changing what they compute.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src/engine/ir/builder';
import type { Graph, Node, Value } from '../../../src/engine/ir/graph';
import { eliminateCommonSubexpressions, eliminateDeadCode } from '../../../src/engine/ir/passes';
import { printGraph } from '../../../src/engine/ir/printer';
import { topologicalSort, verifyGraph } from '../../../src/engine/ir/verifier';
import { expectClose, feed, runGraph } from '../onnx/run-graph';

function chain(): Graph {
  const b = new GraphBuilder('chain');
  const x = b.input('x', 'float32', [3]);
  const a = b.exp(x);
  const c = b.neg(a);
  b.output(c, 'y');
  return b.build();
}

const node = (g: Graph, i: number): Node => {
  const n = g.nodes[i];
  if (!n) throw new Error(`no node ${i}`);
  return n;
};

describe('verifyGraph', () => {
  it('accepts what the builder makes', () => {
    expect(() => verifyGraph(chain())).not.toThrow();
  });

  it('names a node that reads a value nobody produces', () => {
    const g = chain();
    const ghost: Value = { id: 99, name: 'ghost', type: { dtype: 'float32', shape: [3] } };
    const bad = { ...g, nodes: [node(g, 0), { ...node(g, 1), inputs: [ghost] } as Node] };
    expect(() => verifyGraph(bad)).toThrow(expect.objectContaining({ code: 'graph-invalid', message: expect.stringContaining("Node 'Neg_1' (Neg) reads 'ghost'") }));
  });

  it('finds cycles and tells them apart from mere misordering', () => {
    const g = chain();
    const [exp, neg] = [node(g, 0), node(g, 1)];
    const negOut = neg.outputs[0] as Value;
    const cyclic = { ...g, nodes: [{ ...exp, inputs: [negOut] } as Node, neg] };
    expect(() => verifyGraph(cyclic)).toThrow(expect.objectContaining({ code: 'graph-invalid', details: expect.objectContaining({ cycle: ['Exp_0', 'Neg_1', 'Exp_0'] }) }));
    const swapped = { ...g, nodes: [neg, exp] };
    expect(() => verifyGraph(swapped)).toThrow(/before the node producing it/);
    expect(() => verifyGraph(topologicalSort(swapped))).not.toThrow();
    expect(() => topologicalSort(cyclic)).toThrow(/cycle/);
  });

  it('rejects disconnected outputs, no outputs, unknown ops, tampered types and duplicate names', () => {
    const g = chain();
    const stray: Value = { id: 50, name: 'stray', type: { dtype: 'float32', shape: [3] } };
    expect(() => verifyGraph({ ...g, outputs: [{ name: 'z', value: stray }] })).toThrow(/Output 'z' is disconnected/);
    expect(() => verifyGraph({ ...g, outputs: [] })).toThrow(/has no outputs/);
    const unknown = { ...g, nodes: [{ ...node(g, 0), op: 'Frob' } as unknown as Node, node(g, 1)] };
    expect(() => verifyGraph(unknown)).toThrow(expect.objectContaining({ code: 'unknown-op', details: { op: 'Frob', node: 'Exp_0' } }));
    const out = node(g, 0).outputs[0] as Value;
    const wrongShape = { ...g, nodes: [{ ...node(g, 0), outputs: [{ ...out, type: { dtype: 'float32', shape: [4] } }] } as Node, node(g, 1)] };
    expect(() => verifyGraph(wrongShape)).toThrow(expect.objectContaining({ code: 'shape-mismatch' }));
    const wrongDtype = { ...g, nodes: [{ ...node(g, 0), outputs: [{ ...out, type: { dtype: 'float64', shape: [3] } }] } as Node, node(g, 1)] };
    expect(() => verifyGraph(wrongDtype)).toThrow(expect.objectContaining({ code: 'dtype-mismatch', message: expect.stringContaining("records output 'Exp_0' as float64[3] but its inputs give float32[3]") }));
    const dupName = { ...g, nodes: [node(g, 0), { ...node(g, 1), name: 'Exp_0' } as Node] };
    expect(() => verifyGraph(dupName)).toThrow(/node name 'Exp_0' is used twice/);
  });
});

describe('deep graphs', () => {
  it('verify and sort a 30000-node chain without exhausting the stack', () => {
    const b = new GraphBuilder('deep');
    let v = b.input('x', 'float32', [1]);
    for (let i = 0; i < 30000; i++) v = b.neg(v);
    b.output(v, 'y');
    const g = b.build();
    const reversed = { ...g, nodes: [...g.nodes].reverse() };
    expect(() => verifyGraph(reversed)).toThrow(/before the node producing it/);
    expect(topologicalSort(reversed).nodes.map((n) => n.name)).toEqual(g.nodes.map((n) => n.name));
  });
});

describe('GraphBuilder.from', () => {
  it('continues a graph with fresh ids and names, keeping its outputs', async () => {
    const g = chain();
    const b = GraphBuilder.from(g);
    const x = b.valueByName('x');
    const y = b.valueByName('Neg_1');
    if (!x || !y) throw new Error('values not found');
    b.output(b.mul(y, x), 'xy');
    const g2 = b.build();
    expect(g2.outputs.map((o) => o.name)).toEqual(['y', 'xy']);
    expect(new Set(g2.nodes.map((n) => n.name)).size).toBe(g2.nodes.length);
    const out = await runGraph(g2, { x: feed('float32', [3], new Float32Array([0, 1, 2])) });
    expectClose(out.xy?.values ?? [], [0, 1, 2].map((v) => -Math.exp(v) * v));
  });
});

describe('passes', () => {
  it('DCE drops nodes and initializers no output needs', () => {
    const b = new GraphBuilder('dead');
    const x = b.input('x', 'float32', [2]);
    const unused = b.initializer('unused', new Float32Array(2), [2]);
    b.add(x, unused);
    b.output(b.exp(x), 'y');
    const g = eliminateDeadCode(b.build());
    expect(printGraph(g)).toMatchInlineSnapshot(`
      "graph dead(%x: float32[2]) {
        %Exp_1: float32[2] = Exp(%x)
        return y = %Exp_1
      }"
    `);
  });

  it('CSE merges equal nodes (same op, inputs, attrs and constant data) and keeps results', async () => {
    const b = new GraphBuilder('cse');
    const x = b.input('x', 'float32', [2, 3]);
    const s1 = b.reduceSum(b.mul(x, 2), [1]);
    const s2 = b.reduceSum(b.mul(x, 2), [1]);
    const s3 = b.reduceSum(b.mul(x, 3), [1]);
    const s4 = b.reduceSum(b.mul(x, 2), [0]);
    b.output(b.add(b.add(s1, s2), s3), 'y');
    b.output(s2, 's2');
    b.output(s4, 's4');
    const before = b.build();
    const after = eliminateDeadCode(eliminateCommonSubexpressions(before));
    expect(before.nodes.length - after.nodes.length).toBe(5);
    expect(after.nodes.filter((n) => n.op === 'Constant')).toHaveLength(2);
    expect(after.outputs.find((o) => o.name === 's2')?.value.name).toBe('ReduceSum_2');
    const feeds = { x: feed('float32', [2, 3], new Float32Array([1, 2, 3, 4, 5, 6])) };
    const [r1, r2] = [await runGraph(before, feeds), await runGraph(after, feeds)];
    expect(r2).toEqual(r1);
    expect(r2.y?.values).toEqual([12 + 12 + 18, 30 + 30 + 45]);
  });

  it('CSE keeps 0 and -0 constants apart', () => {
    const b = new GraphBuilder('zeros');
    const x = b.input('x', 'float32', [1]);
    b.output(b.add(b.add(x, 0), b.add(x, -0)), 'y');
    const g = eliminateCommonSubexpressions(b.build());
    expect(g.nodes.filter((n) => n.op === 'Constant')).toHaveLength(2);
  });
});
