// Test helpers for the SD component graphs: tiny diffusers-style configs (parsed by the shared
// schemas), seeded inputs, and running a graph once on the CPU provider.
import { clipTextConfigSchema, type ClipTextConfig } from '../../../../../src/engine/models/sd/config/clip';
import { unetConfigSchema, type UNetConfig } from '../../../../../src/engine/models/sd/config/unet';
import { vaeConfigSchema, type VaeConfig } from '../../../../../src/engine/models/sd/config/vae';
import type { Graph } from '../../../../../src/engine/ir';
import { emitModel } from '../../../../../src/engine/onnx';
import { hostTensor, loadSession, type Feeds, type HostTensor } from '../../../../../src/engine/runtime';
import { Random } from '../../../../../src/engine/train/random';

export function tinyUNetConfig(overrides: Record<string, unknown> = {}): UNetConfig {
  return unetConfigSchema.parse({
    block_out_channels: [32, 64], layers_per_block: 2, down_block_types: ['CrossAttnDownBlock2D', 'DownBlock2D'],
    up_block_types: ['UpBlock2D', 'CrossAttnUpBlock2D'], attention_head_dim: 2, norm_num_groups: 8, cross_attention_dim: 16, ...overrides,
  });
}

export function tinyClipConfig(overrides: Record<string, unknown> = {}): ClipTextConfig {
  return clipTextConfigSchema.parse({ vocab_size: 100, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 2, num_attention_heads: 2, eos_token_id: 99, ...overrides });
}

export function tinyVaeConfig(overrides: Record<string, unknown> = {}): VaeConfig {
  return vaeConfigSchema.parse({ block_out_channels: [16, 32], down_block_types: ['DownEncoderBlock2D', 'DownEncoderBlock2D'], up_block_types: ['UpDecoderBlock2D', 'UpDecoderBlock2D'], norm_num_groups: 8, ...overrides });
}

export function randn(dims: readonly number[], seed: number, scale = 1): HostTensor<'float32'> {
  const r = new Random(seed);
  const n = dims.reduce((a, b) => a * b, 1);
  return hostTensor('float32', dims, Float32Array.from({ length: n }, () => scale * r.normal()));
}

export function filled(dims: readonly number[], value: number): HostTensor<'float32'> {
  return hostTensor('float32', dims, new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(value));
}

export async function runGraph(graph: Graph, feeds: Feeds): Promise<Record<string, HostTensor>> {
  const session = await loadSession({ bytes: emitModel(graph), name: graph.name }, 'cpu');
  try {
    return await session.run(feeds);
  } finally {
    await session.dispose();
  }
}

export function maxAbsDiff(a: HostTensor, b: HostTensor): number {
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(Number(a.data[i]) - Number(b.data[i])));
  return m;
}
