// The printer's text form is deterministic and readable enough to pin graphs as inline snapshots.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src/engine/ir/builder';
import { printGraph } from '../../../src/engine/ir/printer';

describe('printGraph', () => {
  it('prints inputs, initializers, scoped nodes with sorted attrs, constants and outputs', () => {
    const b = new GraphBuilder('block');
    const x = b.input('x', 'float32', [1, 4, 8, 8]);
    const w = b.initializer('conv.weight', new Float32Array(4 * 4 * 9), [4, 4, 3, 3]);
    const scale = b.initializer('norm.weight', new Float32Array(4).fill(1), [4]);
    const shift = b.initializer('norm.bias', { kind: 'lazy', byteLength: 16, load: () => Promise.resolve(new Uint8Array(16)) }, [4], 'float32');
    const y = b.scope('resnet', () => b.silu(b.conv(b.groupNorm(x, 2, scale, shift), w, undefined, { pads: [1, 1, 1, 1] })));
    const [top] = b.topK(b.reshape(y, [1, 256]), 2);
    if (!top) throw new Error('topK gave no values');
    b.output(y, 'y');
    b.output(top);
    expect(printGraph(b.build())).toMatchInlineSnapshot(`
      "graph block(%x: float32[1,4,8,8]) {
        init %conv.weight: float32[4,4,3,3]
        init %norm.weight: float32[4]
        init %norm.bias: float32[4] <lazy>
        %resnet/group_norm/Reshape_0: float32[1,2,128] = Reshape[shape=[1,2,128]](%x)
        %resnet/group_norm/ReduceMean_1: float32[1,2,1] = ReduceMean[axes=[2], keepdims=1](%resnet/group_norm/Reshape_0)
        %resnet/group_norm/Sub_2: float32[1,2,128] = Sub(%resnet/group_norm/Reshape_0, %resnet/group_norm/ReduceMean_1)
        %resnet/group_norm/Mul_3: float32[1,2,128] = Mul(%resnet/group_norm/Sub_2, %resnet/group_norm/Sub_2)
        %resnet/group_norm/ReduceMean_4: float32[1,2,1] = ReduceMean[axes=[2], keepdims=1](%resnet/group_norm/Mul_3)
        %resnet/group_norm/Constant_5: float32[] = Constant[value=float32[] {0.000009999999747378752}]()
        %resnet/group_norm/Add_6: float32[1,2,1] = Add(%resnet/group_norm/ReduceMean_4, %resnet/group_norm/Constant_5)
        %resnet/group_norm/Sqrt_7: float32[1,2,1] = Sqrt(%resnet/group_norm/Add_6)
        %resnet/group_norm/Div_8: float32[1,2,128] = Div(%resnet/group_norm/Sub_2, %resnet/group_norm/Sqrt_7)
        %resnet/group_norm/Reshape_9: float32[1,4,8,8] = Reshape[shape=[1,4,8,8]](%resnet/group_norm/Div_8)
        %resnet/group_norm/Reshape_10: float32[4,1,1] = Reshape[shape=[4,1,1]](%norm.weight)
        %resnet/group_norm/Mul_11: float32[1,4,8,8] = Mul(%resnet/group_norm/Reshape_9, %resnet/group_norm/Reshape_10)
        %resnet/group_norm/Reshape_12: float32[4,1,1] = Reshape[shape=[4,1,1]](%norm.bias)
        %resnet/group_norm/Add_13: float32[1,4,8,8] = Add(%resnet/group_norm/Mul_11, %resnet/group_norm/Reshape_12)
        %resnet/Conv_14: float32[1,4,8,8] = Conv[pads=[1,1,1,1]](%resnet/group_norm/Add_13, %conv.weight)
        %resnet/Sigmoid_15: float32[1,4,8,8] = Sigmoid(%resnet/Conv_14)
        %resnet/Mul_16: float32[1,4,8,8] = Mul(%resnet/Conv_14, %resnet/Sigmoid_15)
        %Reshape_17: float32[1,256] = Reshape[shape=[1,256]](%resnet/Mul_16)
        %TopK_18:0: float32[1,2], %TopK_18:1: int64[1,2] = TopK[axis=-1, k=2, largest=1, sorted=1](%Reshape_17)
        return y = %resnet/Mul_16, %TopK_18:0
      }"
    `);
  });
});
