// UNet graph from a tiny diffusers config: state-dict names and torch shapes, the plain graph has no
// gate inputs, all-on gates equal the plain model, groups and vector gate inputs agree, a depth gate
// of 0 makes its unit an identity (its width gates stop mattering), size errors are actionable.
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../../src/engine/core/errors';
import { ARCH_VECTOR_INPUT, gateInputName } from '../../../../../src/engine/models/sd/structure/gates';
import { randomWeights } from '../../../../../src/engine/models/sd/unet/layers';
import { buildUNet, blockOutputName, UNET_OUTPUT, type BuiltUNet } from '../../../../../src/engine/models/sd/unet/unet';
import type { HostTensor } from '../../../../../src/engine/runtime';
import { filled, maxAbsDiff, randn, runGraph, tinyUNetConfig } from './helpers';

const config = tinyUNetConfig();
const base = { batch: 2, height: 8, width: 8, textLength: 5, weights: randomWeights(7) };
const feeds = { sample: randn([2, 4, 8, 8], 1), timestep: new Float32Array([3, 500]), encoder_hidden_states: randn([2, 5, 16], 2) };
const io = { ...feeds, timestep: { dtype: 'float32' as const, dims: [2], data: feeds.timestep } };

function gateFeeds(u: BuiltUNet, value: (id: string, i: number) => number): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  for (const g of u.layout.groups) {
    const t = filled([2, g.width], 1);
    for (let i = 0; i < t.data.length; i++) t.data[i] = value(g.id, i % g.width);
    out[gateInputName(g.id)] = t;
  }
  return out;
}

describe('buildUNet', () => {
  const plain = buildUNet(config, base);

  it('names initializers by diffusers state-dict keys with torch shapes', () => {
    const shapes = new Map(plain.params.map((p) => [p.name, p.shape]));
    expect(shapes.get('down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight')).toEqual([32, 32]);
    expect(shapes.get('down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight')).toEqual([32, 16]);
    expect(shapes.get('down_blocks.0.attentions.0.transformer_blocks.0.ff.net.0.proj.weight')).toEqual([256, 32]);
    expect(shapes.get('up_blocks.0.resnets.0.conv_shortcut.weight')).toEqual([64, 128, 1, 1]);
    expect(shapes.get('down_blocks.0.attentions.0.proj_in.weight')).toEqual([32, 32, 1, 1]);
    expect(shapes.get('time_embedding.linear_1.weight')).toEqual([128, 32]);
    expect(new Set(plain.graph.initializers.map((i) => i.value.name))).toEqual(new Set(shapes.keys()));
    expect(plain.graph.inputs.map((v) => v.name)).toEqual(['sample', 'timestep', 'encoder_hidden_states']);
  });

  it('with every gate on equals the plain model; groups and vector inputs agree', async () => {
    const gated = buildUNet(config, { ...base, gates: 'groups' });
    const vector = buildUNet(config, { ...base, gates: 'vector' });
    expect(gated.graph.inputs.length).toBe(3 + gated.layout.groups.length);
    const ref = (await runGraph(plain.graph, io))[UNET_OUTPUT]!;
    const on = (await runGraph(gated.graph, { ...io, ...gateFeeds(gated, () => 1) }))[UNET_OUTPUT]!;
    expect(maxAbsDiff(on, ref)).toBeLessThan(1e-5);
    const soft = (id: string, i: number): number => 0.2 + 0.7 * (((id.length * 7 + i * 13) % 10) / 10);
    const byGroup = (await runGraph(gated.graph, { ...io, ...gateFeeds(gated, soft) }))[UNET_OUTPUT]!;
    const vec = filled([2, vector.layout.vectorLength], 0);
    for (const g of vector.layout.groups) for (let n = 0; n < 2; n++) for (let i = 0; i < g.width; i++) vec.data[n * vector.layout.vectorLength + g.offset + i] = soft(g.id, i);
    const byVector = (await runGraph(vector.graph, { ...io, [ARCH_VECTOR_INPUT]: vec }))[UNET_OUTPUT]!;
    expect(maxAbsDiff(byGroup, ref)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(byVector, byGroup)).toBeLessThan(1e-5);
  });

  it('a depth gate of 0 turns its unit into an identity', async () => {
    const gated = buildUNet(config, { ...base, gates: 'groups', blockOutputs: true });
    const unit = 'down_blocks.0.attentions.1';
    const depthOff = (extra: number) => gateFeeds(gated, (id, i) => (id === `${unit}:depth` ? 0 : id.startsWith(unit) ? extra * (i + 1) : 1));
    const a = await runGraph(gated.graph, { ...io, ...depthOff(0.5) });
    const b = await runGraph(gated.graph, { ...io, ...depthOff(0.1) });
    expect(maxAbsDiff(a[UNET_OUTPUT]!, b[UNET_OUTPUT]!)).toBeLessThan(1e-6);
    const on = (extra: number) => gateFeeds(gated, (id, i) => (id.startsWith(unit) && !id.endsWith(':depth') ? extra * (i + 1) : 1));
    const c = await runGraph(gated.graph, { ...io, ...on(0.5) });
    const d = await runGraph(gated.graph, { ...io, ...on(0.1) });
    expect(maxAbsDiff(c[blockOutputName('down_blocks.0')]!, d[blockOutputName('down_blocks.0')]!)).toBeGreaterThan(1e-4);
  });

  it('builds odd latent sizes as diffusers runs them (halved rounding up, cropped back); refuses them with downsample_padding 0', () => {
    const odd = buildUNet(config, { ...base, height: 7, width: 5 });
    expect(odd.graph.outputs.find((o) => o.name === UNET_OUTPUT)?.value.type.shape).toEqual([2, 4, 7, 5]);
    const padded = tinyUNetConfig({ downsample_padding: 0 });
    expect(() => buildUNet(padded, { ...base, height: 7 })).toThrow(EngineError);
    expect(() => buildUNet(padded, { ...base, height: 7 })).toThrow(/multiple of 2/);
  });
});
