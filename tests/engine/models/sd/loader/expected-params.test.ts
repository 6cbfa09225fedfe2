// Expected parameter lists at full scale: the real SD 1.5 / SD 2.1 configs give exactly the
// parameter counts and state-dict sizes diffusers / transformers build (numbers taken from those
// libraries), so a real checkpoint is checked key by key against the right list.
import { describe, expect, it } from 'vitest';
import { parseClipTextConfig, parseUNetConfig, parseVaeConfig } from '../../../../../src/engine/models/sd/config';
import { type ExpectedParam, clipTextParams, unetParams, vaeParams } from '../../../../../src/engine/models/sd/loader';

const o = { file: 'config.json', component: 'test' };
const count = (ps: readonly ExpectedParam[]): [number, number] => [ps.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0), ps.length];
const SD15 = { sample_size: 64, block_out_channels: [320, 640, 1280, 1280], layers_per_block: 2, cross_attention_dim: 768, attention_head_dim: 8 };

describe('expected parameters of the released SD models', () => {
  it('SD 1.5 and SD 2.1 UNets', () => {
    expect(count(unetParams(parseUNetConfig(SD15, o)))).toEqual([859_520_964, 686]);
    const sd21 = { ...SD15, cross_attention_dim: 1024, attention_head_dim: [5, 10, 20, 20], use_linear_projection: true, upcast_attention: true, sample_size: 96 };
    const ps = unetParams(parseUNetConfig(sd21, o));
    expect(count(ps)).toEqual([865_910_724, 686]);
    expect(ps.find((p) => p.name === 'down_blocks.0.attentions.0.proj_in.weight')?.shape).toEqual([320, 320]);
    expect(ps.find((p) => p.name === 'up_blocks.3.resnets.0.conv1.weight')?.shape).toEqual([320, 960, 3, 3]);
    expect(ps.find((p) => p.name === 'up_blocks.3.resnets.2.conv1.weight')?.shape).toEqual([320, 640, 3, 3]);
  });

  it('the SD VAE and both text encoders (CLIP ViT-L, OpenCLIP ViT-H without its last layer)', () => {
    const vae = { block_out_channels: [128, 256, 512, 512], down_block_types: Array(4).fill('DownEncoderBlock2D'), up_block_types: Array(4).fill('UpDecoderBlock2D'), layers_per_block: 2, sample_size: 512 };
    expect(count(vaeParams(parseVaeConfig(vae, o)))).toEqual([83_653_863, 248]);
    expect(count(clipTextParams(parseClipTextConfig({ hidden_size: 768, intermediate_size: 3072, num_attention_heads: 12, num_hidden_layers: 12, projection_dim: 768 }, o)))).toEqual([123_060_480, 196]);
    expect(count(clipTextParams(parseClipTextConfig({ hidden_size: 1024, intermediate_size: 4096, num_attention_heads: 16, num_hidden_layers: 23, hidden_act: 'gelu' }, o)))).toEqual([340_387_840, 372]);
  });
});
