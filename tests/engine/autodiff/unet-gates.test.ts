// Integration: d(loss)/d(gates) through a whole (tiny, random-weight) gated SD UNet, the gradient
// the pruning step needs, checked against a fourth-order directional difference of the forward graph.
import { describe, expect, it } from 'vitest';
import { grad } from '../../../src/engine/autodiff/grad';
import { GraphBuilder } from '../../../src/engine/ir/builder';
import type { Graph } from '../../../src/engine/ir/graph';
import { parseUNetConfig } from '../../../src/engine/models/sd/config/unet';
import { ARCH_VECTOR_INPUT } from '../../../src/engine/models/sd/structure/gates';
import { randomWeights } from '../../../src/engine/models/sd/unet/layers';
import { buildUNet, UNET_OUTPUT } from '../../../src/engine/models/sd/unet/unet';
import { emitModel } from '../../../src/engine/onnx/model';
import { loadSession, type Feeds } from '../../../src/engine/runtime/session';
import { hostTensor } from '../../../src/engine/runtime/tensor';

const TINY = { block_out_channels: [32, 64], down_block_types: ['CrossAttnDownBlock2D', 'DownBlock2D'], up_block_types: ['UpBlock2D', 'CrossAttnUpBlock2D'], layers_per_block: 1, cross_attention_dim: 32, norm_num_groups: 8, attention_head_dim: 8, sample_size: 8 };

/** The gated UNet plus loss = mean((out - target)^2). */
function unetLoss(): Graph {
  const config = parseUNetConfig(TINY, { file: 'tiny-unet.json', component: 'unet' });
  const unet = buildUNet(config, { batch: 1, height: 8, width: 8, textLength: 4, weights: randomWeights(1), gates: 'vector' });
  const b = GraphBuilder.from(unet.graph);
  const out = unet.graph.outputs.find((o) => o.name === UNET_OUTPUT)?.value;
  if (!out) throw new Error('UNet has no output');
  const diff = b.sub(out, b.input('target', 'float32', out.type.shape));
  b.output(b.reduceMean(b.mul(diff, diff), undefined, false), 'loss');
  return b.build();
}

const wave = (n: number, phase: number): Float32Array => Float32Array.from({ length: n }, (_, i) => 0.8 * Math.sin(i * 12.9898 + phase));

describe('gradient through a gated UNet', () => {
  it('matches a directional finite difference of the loss in the gates', async () => {
    const forward = unetLoss();
    const backward = grad(forward, { loss: 'loss', wrt: [ARCH_VECTOR_INPUT] });
    const options = { intraOpThreads: 1, optimization: 'basic' } as const;
    const fwd = await loadSession({ bytes: emitModel(forward), name: 'unet-loss' }, 'cpu', options);
    const bwd = await loadSession({ bytes: emitModel(backward), name: 'unet-loss-grad' }, 'cpu', options);
    const feeds: Record<string, Feeds[string]> = {};
    forward.inputs.forEach((v, i) => {
      const n = v.type.shape.reduce((a, d) => a * d, 1);
      const data = v.name === ARCH_VECTOR_INPUT ? new Float32Array(n).fill(0.7) : v.name === 'timestep' ? new Float32Array(n).fill(500) : wave(n, i);
      feeds[v.name] = hostTensor('float32', v.type.shape, data);
    });
    const gates = (await bwd.run(feeds))[`grad/${ARCH_VECTOR_INPUT}`]?.data as Float32Array;
    const direction = wave(gates.length, 3);
    const analytic = gates.reduce((a, g, i) => a + g * (direction[i] ?? 0), 0);
    const lossAt = async (h: number): Promise<number> => {
      const moved = Float32Array.from(direction, (d) => 0.7 + h * d);
      return Number((await fwd.run({ ...feeds, [ARCH_VECTOR_INPUT]: hostTensor('float32', [1, gates.length], moved) })).loss?.data[0]);
    };
    const h = 1e-2;
    const numeric = (-(await lossAt(2 * h)) + 8 * (await lossAt(h)) - 8 * (await lossAt(-h)) + (await lossAt(-2 * h))) / (12 * h);
    expect(Math.abs(analytic - numeric) / Math.abs(numeric)).toBeLessThan(1e-3);
    expect(gates.some((g) => g !== 0)).toBe(true);
    await fwd.dispose();
    await bwd.dispose();
  });
});
