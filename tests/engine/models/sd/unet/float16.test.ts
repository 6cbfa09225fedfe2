// float16 compute: the tiny UNet, CLIP text encoder and VAE decoder build with float16 weights and
// inputs, run on the CPU provider, and stay within float16 rounding of the float32 graphs.
import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float32ToFloat16Bits } from '../../../../../src/engine/core/dtype';
import type { Graph } from '../../../../../src/engine/ir';
import { buildClipTextEncoder } from '../../../../../src/engine/models/sd/clip/text-encoder';
import { randomWeights, type ComputeDType } from '../../../../../src/engine/models/sd/unet/layers';
import { buildUNet } from '../../../../../src/engine/models/sd/unet/unet';
import { buildVaeDecoder } from '../../../../../src/engine/models/sd/vae/vae';
import { hostTensor, type HostTensor } from '../../../../../src/engine/runtime';
import { randn, runGraph, tinyClipConfig, tinyUNetConfig, tinyVaeConfig } from './helpers';

const asDType = (t: HostTensor<'float32'>, dtype: ComputeDType): HostTensor => (dtype === 'float32' ? t : hostTensor('float16', t.dims, Uint16Array.from(t.data, float32ToFloat16Bits)));
const numbers = (t: HostTensor): number[] => Array.from(t.data as ArrayLike<number>, (v) => (t.dtype === 'float16' ? float16BitsToFloat32(v) : v));

async function bothDTypes(build: (dtype: ComputeDType) => Graph, feeds: (dtype: ComputeDType) => Record<string, HostTensor>, output: string): Promise<[number[], number[]]> {
  const run = async (dtype: ComputeDType) => numbers((await runGraph(build(dtype), feeds(dtype)))[output]!);
  return [await run('float32'), await run('float16')];
}

function expectClose(a: number[], b: number[], tol: number): void {
  const scale = Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
  expect(Math.max(...a.map((v, i) => Math.abs(v - (b[i] ?? Number.NaN))))).toBeLessThan(tol * Math.max(1, scale));
}

describe('float16 components', () => {
  it('UNet', async () => {
    const [f32, f16] = await bothDTypes(
      (dtype) => buildUNet(tinyUNetConfig({ layers_per_block: 1 }), { batch: 1, height: 8, width: 8, textLength: 5, dtype, weights: randomWeights(1, dtype) }).graph,
      (dtype) => ({ sample: asDType(randn([1, 4, 8, 8], 1), dtype), timestep: hostTensor('float32', [1], new Float32Array([10])), encoder_hidden_states: asDType(randn([1, 5, 16], 2), dtype) }),
      'out_sample');
    expectClose(f32, f16, 2e-2);
  });

  it('CLIP text encoder and VAE decoder', async () => {
    const ids = hostTensor('int64', [1, 6], BigInt64Array.from([5n, 7n, 99n, 1n, 1n, 1n]));
    const [c32, c16] = await bothDTypes((dtype) => buildClipTextEncoder(tinyClipConfig(), { batch: 1, length: 6, dtype, weights: randomWeights(3, dtype) }).graph, () => ({ input_ids: ids }), 'last_hidden_state');
    expectClose(c32, c16, 2e-2);
    const [v32, v16] = await bothDTypes((dtype) => buildVaeDecoder(tinyVaeConfig(), { batch: 1, height: 16, width: 16, dtype, weights: randomWeights(4, dtype) }).graph, (dtype) => ({ latents: asDType(randn([1, 4, 8, 8], 5), dtype) }), 'image');
    expectClose(v32, v16, 2e-2);
  });
});
