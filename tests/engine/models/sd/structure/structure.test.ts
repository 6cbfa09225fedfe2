// APTP structure of the real SD 2.1 / 1.5 UNet configs: the 1620-entry architecture vector (70
// width groups, 1606 entries, 14 depth gates), layout order and offsets, exact parameter counts,
// and MACs at 256 px that reproduce APTP.md's reference totals once its Sq*Sq cross-attention
// charge is added back.
import { describe, expect, it } from 'vitest';
import { gateLayout } from '../../../../../src/engine/models/sd/structure/gates';
import { unetMacs } from '../../../../../src/engine/models/sd/structure/macs';
import { presetUNetConfig } from '../../../../../src/engine/models/sd/structure/presets';
import { clipParamSpecs, countParams, summarizeModel, summarizeUNet, vaeParamSpecs } from '../../../../../src/engine/models/sd/structure/summary';
import { resolveUNet } from '../../../../../src/engine/models/sd/unet/arch';
import { tinyClipConfig, tinyUNetConfig, tinyVaeConfig } from '../unet/helpers';

describe('SD 2.1 gate layout', () => {
  const arch = resolveUNet(presetUNetConfig('sd21'));
  const layout = gateLayout(arch);

  it('has 70 width groups with 1606 entries and 14 depth gates: a vector of 1620', () => {
    expect(layout.widthGroups.length).toBe(70);
    expect(layout.widthEntries).toBe(1606);
    expect(layout.depthGroups.length).toBe(14);
    expect(layout.vectorLength).toBe(1620);
  });

  it('lays width entries out in block order, resnets then transformers [attn1, attn2, ff], then depth', () => {
    const first = layout.groups.slice(0, 8).map((g) => `${g.id}/${g.width}`);
    expect(first).toEqual([
      'down_blocks.0.resnets.0/32', 'down_blocks.0.resnets.1/32',
      'down_blocks.0.attentions.0.transformer_blocks.0.attn1/5', 'down_blocks.0.attentions.0.transformer_blocks.0.attn2/5', 'down_blocks.0.attentions.0.transformer_blocks.0.ff/32',
      'down_blocks.0.attentions.1.transformer_blocks.0.attn1/5', 'down_blocks.0.attentions.1.transformer_blocks.0.attn2/5', 'down_blocks.0.attentions.1.transformer_blocks.0.ff/32',
    ]);
    layout.groups.forEach((g, i) => expect(g.offset).toBe(i === 0 ? 0 : (layout.groups[i - 1]?.offset ?? 0) + (layout.groups[i - 1]?.width ?? 0)));
    expect(layout.depthGroups.map((g) => g.unit)).toEqual([
      'down_blocks.0.resnets.1', 'down_blocks.0.attentions.1', 'down_blocks.1.resnets.1', 'down_blocks.1.attentions.1',
      'down_blocks.2.resnets.1', 'down_blocks.2.attentions.1', 'down_blocks.3.resnets.1', 'up_blocks.0.resnets.2',
      'up_blocks.1.resnets.2', 'up_blocks.1.attentions.2', 'up_blocks.2.resnets.2', 'up_blocks.2.attentions.2',
      'up_blocks.3.resnets.2', 'up_blocks.3.attentions.2',
    ]);
    expect(layout.groups.filter((g) => g.block === 'mid_block' && g.kind === 'depth')).toEqual([]);
    expect(layout.groups.find((g) => g.id === 'up_blocks.1.attentions.0.transformer_blocks.0.attn2')?.width).toBe(20);
  });

  it('counts 865,910,724 parameters (SD 1.5: 859,520,964)', () => {
    expect(summarizeUNet(presetUNetConfig('sd21')).params).toBe(865_910_724);
    expect(summarizeUNet(presetUNetConfig('sd15')).params).toBe(859_520_964);
    expect(summarizeUNet(presetUNetConfig('sd15')).vectorLength).toBe(1486);
  });

  it('charges cross-attention with 77 keys; with the reference Sq*Sq charge it gives the APTP.md reference 94.0 G total / 81.2 G prunable', () => {
    const macs = unetMacs(arch, { height: 32, width: 32 });
    let sqCharge = 0;
    for (const block of arch.blocks) {
      for (const t of block.transformers) {
        const q = 1024 / 4 ** t.level;
        sqCharge += t.heads * (2 * q * (q - 77) * t.headDim + q * (q - 77));
      }
    }
    expect(Math.abs((macs.total + sqCharge) / 1e9 - 94.0)).toBeLessThan(0.1);
    expect(Math.abs((macs.prunable + sqCharge) / 1e9 - 81.2)).toBeLessThan(0.05);
    expect(macs.total).toBe(90_657_182_016);
    const perEntry = layout.widthGroups.reduce((s, g) => s + g.width * (macs.perEntry[g.id] ?? Number.NaN), 0);
    const depthFixed = macs.units.filter((u) => u.depthGate).reduce((s, u) => s + u.fixed, 0);
    expect(perEntry + depthFixed).toBeCloseTo(macs.prunable, -3);
    expect(macs.perEntry['down_blocks.0.attentions.0.transformer_blocks.0.attn2']).toBeLessThan(macs.perEntry['down_blocks.0.attentions.0.transformer_blocks.0.attn1'] ?? 0);
  });

  it('summarises gate counts per block', () => {
    const blocks = summarizeUNet(presetUNetConfig('sd21')).blocks;
    expect(blocks.map((b) => b.block)).toEqual(['down_blocks.0', 'down_blocks.1', 'down_blocks.2', 'down_blocks.3', 'mid_block', 'up_blocks.0', 'up_blocks.1', 'up_blocks.2', 'up_blocks.3']);
    expect(blocks[4]).toEqual({ block: 'mid_block', resnetGroups: 64, attentionHeads: 40, ffGroups: 32, depthGates: 0, entries: 136 });
    expect(blocks.reduce((s, b) => s + b.entries, 0)).toBe(1620);
  });
});

describe('parameter lists', () => {
  it('drop the depth gate where a unit changes channels (layers_per_block 1)', () => {
    const layout = gateLayout(resolveUNet(tinyUNetConfig({ layers_per_block: 1 })));
    expect(layout.depthGroups.map((g) => g.unit)).toEqual(['down_blocks.0.resnets.0', 'down_blocks.0.attentions.0', 'up_blocks.0.resnets.1', 'up_blocks.1.resnets.1', 'up_blocks.1.attentions.1']);
  });

  it('list CLIP and VAE keys with torch shapes', () => {
    const clip = new Map(clipParamSpecs(tinyClipConfig()).map((p) => [p.name, p.shape]));
    expect(clip.get('text_model.embeddings.token_embedding.weight')).toEqual([100, 16]);
    expect(clip.get('text_model.encoder.layers.1.mlp.fc1.weight')).toEqual([32, 16]);
    expect(clip.has('text_model.final_layer_norm.bias')).toBe(true);
    const vae = vaeParamSpecs(tinyVaeConfig());
    const names = new Set(vae.map((p) => p.name));
    expect(names.size).toBe(vae.length);
    for (const key of ['quant_conv.weight', 'post_quant_conv.bias', 'encoder.mid_block.attentions.0.to_q.weight', 'decoder.up_blocks.0.upsamplers.0.conv.weight', 'encoder.down_blocks.0.downsamplers.0.conv.bias']) expect(names.has(key)).toBe(true);
    expect(countParams([{ name: 'a', shape: [3, 4] }, { name: 'b', shape: [5] }])).toBe(17);
    const whole = summarizeModel({ unet: tinyUNetConfig(), textEncoder: tinyClipConfig(), vae: tinyVaeConfig() }, { height: 8, width: 8 });
    expect(whole.textEncoderParams).toBe(countParams(clipParamSpecs(tinyClipConfig())));
    expect(whole.totalParams).toBe(whole.unet.params + whole.textEncoderParams + whole.vaeParams);
    expect(whole.unet.macs.latent).toEqual({ height: 8, width: 8 });
  });
});
