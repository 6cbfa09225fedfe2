// Gate ids come from the architecture description, and a gated UNet graph fails to build when a
// gate group of the layout is wired to no gate site.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../../../src/engine/ir';
import { gateLayout } from '../../../../../src/engine/models/sd/structure/gates';
import { resolveUNet } from '../../../../../src/engine/models/sd/unet/arch';
import { UNetGates } from '../../../../../src/engine/models/sd/unet/gating';
import { buildUNet } from '../../../../../src/engine/models/sd/unet/unet';
import { shapeOnlyWeights } from '../../../../../src/engine/models/sd/unet/layers';
import { tinyUNetConfig } from './helpers';

describe('UNet gate wiring', () => {
  it('takes every gate id from the architecture description', () => {
    const arch = resolveUNet(tinyUNetConfig());
    const fromArch = arch.blocks.flatMap((block) => [
      ...block.resnets.map((r) => r.widthGate),
      ...block.transformers.flatMap((t) => t.blocks.flatMap((tb) => [tb.attn1, tb.attn2, tb.ff])),
      ...[...block.resnets, ...block.transformers].flatMap((u) => (u.depthGate ? [u.depthGate] : [])),
    ]);
    expect(new Set(gateLayout(arch).groups.map((g) => g.id))).toEqual(new Set(fromArch));
  });

  it('builds a gated graph with every group wired, in both gate modes', () => {
    for (const gates of ['groups', 'vector'] as const) {
      const built = buildUNet(tinyUNetConfig(), { batch: 1, height: 8, width: 8, textLength: 3, weights: shapeOnlyWeights(), gates });
      expect(built.layout.groups.length).toBeGreaterThan(0);
    }
  });

  it('refuses to finish when a gate group of the layout was never wired', () => {
    const layout = gateLayout(resolveUNet(tinyUNetConfig()));
    const [skipped, ...rest] = layout.groups;
    if (!skipped) throw new Error('the tiny UNet has no gate groups');
    for (const mode of ['groups', 'vector'] as const) {
      const gates = new UNetGates(new GraphBuilder('g'), layout, mode, 1, 'float32');
      for (const g of rest) gates.gate(g.id);
      expect(() => gates.checkAllWired()).toThrow(new RegExp(`gate group '${skipped.id.replace(/\./g, '\\.')}' of the gate layout is wired to no gate site`));
      gates.gate(skipped.id);
      expect(() => gates.checkAllWired()).not.toThrow();
    }
  });

  it('asks nothing of an ungated graph', () => {
    const layout = gateLayout(resolveUNet(tinyUNetConfig()));
    expect(() => new UNetGates(new GraphBuilder('g'), layout, 'none', 1, 'float32').checkAllWired()).not.toThrow();
  });
});
