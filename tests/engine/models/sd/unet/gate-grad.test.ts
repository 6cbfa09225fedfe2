// The pruning step needs d(loss)/d(gates) through the frozen UNet: autodiff differentiates the gated
// tiny UNet with respect to the architecture vector, and the gradient matches central differences
// on a few entries (a ResNet group, a head, an FF group, a depth gate).
import { describe, expect, it } from 'vitest';
import { grad } from '../../../../../src/engine/autodiff';
import { GraphBuilder } from '../../../../../src/engine/ir';
import { ARCH_VECTOR_INPUT } from '../../../../../src/engine/models/sd/structure/gates';
import { randomWeights } from '../../../../../src/engine/models/sd/unet/layers';
import { buildUNet, UNET_OUTPUT } from '../../../../../src/engine/models/sd/unet/unet';
import { hostTensor } from '../../../../../src/engine/runtime';
import { filled, randn, runGraph, tinyUNetConfig } from './helpers';

describe('gate gradients', () => {
  it('match central differences through the whole UNet', async () => {
    const { graph, layout } = buildUNet(tinyUNetConfig({ layers_per_block: 1 }), { batch: 1, height: 8, width: 8, textLength: 3, weights: randomWeights(11), gates: 'vector' });
    const b = GraphBuilder.from(graph, 'unet_loss');
    const y = b.valueByName(UNET_OUTPUT) ?? graph.outputs.find((o) => o.name === UNET_OUTPUT)?.value;
    if (!y) throw new Error('no UNet output');
    b.output(b.reduceMean(b.mul(y, y), undefined, false), 'loss');
    const withGrad = grad(b.build(), { loss: 'loss', wrt: [ARCH_VECTOR_INPUT] });
    const vec = filled([1, layout.vectorLength], 0.8);
    const feeds = { sample: randn([1, 4, 8, 8], 3), timestep: hostTensor('float32', [1], new Float32Array([250])), encoder_hidden_states: randn([1, 3, 16], 4) };
    const base = await runGraph(withGrad, { ...feeds, [ARCH_VECTOR_INPUT]: vec });
    const g = base[`grad/${ARCH_VECTOR_INPUT}`]!.data as Float32Array;
    const picks = ['resnet', 'attn1', 'attn2', 'ff', 'depth'].map((kind) => layout.groups.find((x) => x.kind === kind)!.offset + (kind === 'depth' ? 0 : 1));
    for (const i of picks) {
      const at = async (delta: number) => {
        const v = filled([1, layout.vectorLength], 0.8);
        v.data[i] = 0.8 + delta;
        return Number((await runGraph(withGrad, { ...feeds, [ARCH_VECTOR_INPUT]: v })).loss!.data[0]);
      };
      const h = 1e-2;
      const numeric = ((await at(h)) - (await at(-h))) / (2 * h);
      expect(Math.abs((g[i] ?? 0) - numeric)).toBeLessThan(2e-3 * Math.max(1, Math.abs(numeric)) + 1e-4);
    }
    expect(picks.some((i) => Math.abs(g[i] ?? 0) > 1e-4)).toBe(true);
  });
});
