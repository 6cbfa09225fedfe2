// The ONNX writer's wire format and model structure: varint/float encodings, ModelProto header
// (ir_version 8, opset 17), named value_info with shapes for every value, opset-dependent lowering
// (ReduceMean axes as attribute at 17, as input at 18), and the errors for unsupported opsets.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src/engine/ir/builder';
import type { Graph } from '../../../src/engine/ir/graph';
import { emitModel } from '../../../src/engine/onnx/model';
import { ProtoWriter } from '../../../src/engine/onnx/protobuf';
import { ints, readFields, str, sub } from './proto-reader';
import { expectClose, feed, runGraph } from './run-graph';

function smallGraph(): Graph {
  const b = new GraphBuilder('small');
  const x = b.input('x', 'float32', [2, 3]);
  const m = b.scope('block', () => b.reduceMean(b.mul(x, 2), [1]));
  b.output(m, 'mean');
  return b.build();
}

describe('protobuf writer', () => {
  it('encodes varints, negative int64s, floats, strings and nested messages as protobuf does', () => {
    const w = new ProtoWriter().int(1, 300).int(2, -1).float(3, 1.5).string(4, 'hi');
    w.message(5, new ProtoWriter().int(1, 2n ** 40n));
    expect(Array.from(w.finish())).toEqual([
      0x08, 0xac, 0x02,
      0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
      0x1d, 0x00, 0x00, 0xc0, 0x3f,
      0x22, 0x02, 0x68, 0x69,
      0x2a, 0x07, 0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20,
    ]);
  });

  it('references large byte payloads instead of copying them', () => {
    const payload = new Uint8Array(1000).fill(3);
    const inner = new ProtoWriter().bytes(9, payload);
    const outer = new ProtoWriter().message(1, inner);
    expect(outer.parts()).toContain(payload);
    expect(outer.length).toBe(1000 + 3 + 3);
  });
});

describe('ModelProto', () => {
  it('declares ir_version 8 and opset 17, names every value and annotates its shape', () => {
    const model = readFields(emitModel(smallGraph()));
    expect(ints(model, 1)).toEqual([8]);
    expect(str(model, 2)).toEqual(['aptp-studio']);
    const [opset] = sub(model, 8);
    expect(opset && ints(opset, 2)).toEqual([17]);
    const [graph] = sub(model, 7);
    if (!graph) throw new Error('no graph');
    expect(str(graph, 2)).toEqual(['small']);
    const nodes = sub(graph, 1);
    expect(nodes.map((n) => `${str(n, 3)[0]}:${str(n, 4)[0]}`)).toEqual(['block/Constant_0:Constant', 'block/Mul_1:Mul', 'block/ReduceMean_2:ReduceMean', 'output/mean:Identity']);
    const infos = sub(graph, 13).map((v) => {
      const [type] = sub(v, 2);
      const [tensor] = type ? sub(type, 1) : [];
      const [shape] = tensor ? sub(tensor, 2) : [];
      const dims = shape ? sub(shape, 1).map((d) => ints(d, 1)[0]) : [];
      return `${str(v, 1)[0]}${JSON.stringify(dims)}`;
    });
    expect(infos).toEqual(['block/Constant_0[]', 'block/Mul_1[2,3]', 'block/ReduceMean_2[2,1]']);
    expect(sub(graph, 11).map((v) => str(v, 1)[0])).toEqual(['x']);
    expect(sub(graph, 12).map((v) => str(v, 1)[0])).toEqual(['mean']);
  });

  it('lowers ReduceMean axes to an attribute at opset 17 and to an input at opset 18; both run', async () => {
    const graph = smallGraph();
    const reduceNode = (opset: number): { inputs: string[]; attrs: string[] } => {
      const [g] = sub(readFields(emitModel(graph, { opset })), 7);
      const node = sub(g ?? [], 1).find((n) => str(n, 4)[0] === 'ReduceMean') ?? [];
      return { inputs: str(node, 1), attrs: sub(node, 5).map((a) => str(a, 1)[0] ?? '') };
    };
    expect(reduceNode(17)).toEqual({ inputs: ['block/Mul_1'], attrs: ['axes', 'keepdims'] });
    expect(reduceNode(18)).toEqual({ inputs: ['block/Mul_1', 'block/ReduceMean_2/axes'], attrs: ['keepdims'] });
    const x = feed('float32', [2, 3], new Float32Array([1, 2, 3, 4, 5, 6]));
    for (const opset of [17, 18]) expectClose((await runGraph(graph, { x }, { opset })).mean?.values ?? [], [4, 10]);
  });

  it('refuses opsets outside 13..21 and ops newer than the target opset', () => {
    expect(() => emitModel(smallGraph(), { opset: 12 })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    const b = new GraphBuilder('ln');
    const x = b.input('x', 'float32', [2, 3]);
    b.output(b.layerNorm(x, b.constant('float32', [3], [1, 1, 1])), 'y');
    expect(() => emitModel(b.build(), { opset: 16 })).toThrow(expect.objectContaining({ code: 'unsupported-model', details: expect.objectContaining({ op: 'LayerNormalization' }) }));
  });

  it('refuses in-memory emission of file-backed initializers', () => {
    const b = new GraphBuilder('lazy');
    const x = b.input('x', 'float32', [1]);
    const w = b.initializer('w', { kind: 'lazy', byteLength: 4, load: () => Promise.resolve(new Uint8Array(4)) }, [1], 'float32');
    b.output(b.add(x, w), 'y');
    expect(() => emitModel(b.build())).toThrow(expect.objectContaining({ code: 'invalid-argument', details: { initializer: 'w' } }));
  });
});
