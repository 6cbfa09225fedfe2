// Single-file checkpoints: LDM key names per diffusers key (hand-checked against the original
// layout), configs inferred from shapes, SD 1 vs SD 2 from the text encoder, OpenCLIP q/k/v served
// as thirds of in_proj by offset, prediction type asked for when SD 2 cannot tell, and foreign or
// broken files refused by name.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineError } from '../../../../../src/engine/core/errors';
import { parseUNetConfig, unetBlocks } from '../../../../../src/engine/models/sd/config';
import { ldmOpenClipKey, ldmUnetKey, ldmVaeKey, openModel, openSingleFile, unetParams } from '../../../../../src/engine/models/sd/loader';
import { inferUNetConfig } from '../../../../../src/engine/models/sd/loader/ldm-config';
import { writeSafetensors } from '../../../../../src/engine/weights';
import { valueAt } from './tiny-folder';
import { writeTinyLdm } from './tiny-ldm';

const root = mkdtempSync(join(tmpdir(), 'aptp-ldm-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const overrides = { unet: { attention_head_dim: 2, norm_num_groups: 8 }, vae: { norm_num_groups: 4 }, textEncoder: { num_attention_heads: 2 } };

async function refusal(p: Promise<unknown>): Promise<EngineError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('original key layout', () => {
  it('names the LDM tensors diffusers converts from', () => {
    const attnUp = [false, true, true, true];
    expect(ldmUnetKey('down_blocks.0.resnets.0.norm1.weight', 2, attnUp)).toBe('model.diffusion_model.input_blocks.1.0.in_layers.0.weight');
    expect(ldmUnetKey('down_blocks.1.attentions.1.proj_in.weight', 2, attnUp)).toBe('model.diffusion_model.input_blocks.5.1.proj_in.weight');
    expect(ldmUnetKey('down_blocks.2.downsamplers.0.conv.bias', 2, attnUp)).toBe('model.diffusion_model.input_blocks.9.0.op.bias');
    expect(ldmUnetKey('mid_block.resnets.1.time_emb_proj.weight', 2, attnUp)).toBe('model.diffusion_model.middle_block.2.emb_layers.1.weight');
    expect(ldmUnetKey('up_blocks.0.upsamplers.0.conv.weight', 2, attnUp)).toBe('model.diffusion_model.output_blocks.2.1.conv.weight');
    expect(ldmUnetKey('up_blocks.1.upsamplers.0.conv.weight', 2, attnUp)).toBe('model.diffusion_model.output_blocks.5.2.conv.weight');
    expect(ldmUnetKey('up_blocks.3.resnets.2.conv_shortcut.weight', 2, attnUp)).toBe('model.diffusion_model.output_blocks.11.0.skip_connection.weight');
    expect(ldmUnetKey('time_embedding.linear_2.bias', 2, attnUp)).toBe('model.diffusion_model.time_embed.2.bias');
    expect(ldmVaeKey('decoder.up_blocks.0.resnets.2.conv1.weight', 4)).toBe('first_stage_model.decoder.up.3.block.2.conv1.weight');
    expect(ldmVaeKey('encoder.mid_block.attentions.0.to_out.0.weight', 4)).toBe('first_stage_model.encoder.mid.attn_1.proj_out.weight');
    expect(ldmVaeKey('encoder.down_blocks.1.resnets.0.conv_shortcut.bias', 4)).toBe('first_stage_model.encoder.down.1.block.0.nin_shortcut.bias');
    expect(ldmVaeKey('decoder.conv_norm_out.weight', 4)).toBe('first_stage_model.decoder.norm_out.weight');
    expect(ldmOpenClipKey('text_model.encoder.layers.3.self_attn.v_proj.bias')).toEqual({ key: 'cond_stage_model.model.transformer.resblocks.3.attn.in_proj_bias', rows: { part: 2, of: 3 } });
    expect(ldmOpenClipKey('text_model.encoder.layers.0.mlp.fc2.weight').key).toBe('cond_stage_model.model.transformer.resblocks.0.mlp.c_proj.weight');
  });
});

describe('configs inferred at full scale', () => {
  const SD15 = { sample_size: 64, block_out_channels: [320, 640, 1280, 1280], layers_per_block: 2, cross_attention_dim: 768, attention_head_dim: 8 };
  const SD21 = { ...SD15, sample_size: 96, cross_attention_dim: 1024, attention_head_dim: [5, 10, 20, 20], use_linear_projection: true, upcast_attention: true };
  const o = { file: 'x', component: 'unet' };
  const tensors = (config: object) => {
    const c = parseUNetConfig(config, o);
    const attnUp = unetBlocks(c).up.map((b) => b.crossAttention);
    return new Map(unetParams(c).map((p) => [ldmUnetKey(p.name, 2, attnUp), { name: '', dtype: 'F16' as const, shape: p.shape, offset: 0, byteLength: 0 }]));
  };

  it('recovers the SD 1.5 and SD 2.1 (768-v) UNet configs from tensor shapes alone', () => {
    expect(inferUNetConfig(tensors(SD15), 'f', 'sd1', false)).toMatchObject({ ...SD15, use_linear_projection: false, down_block_types: ['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D'] });
    expect(inferUNetConfig(tensors(SD21), 'f', 'sd2', true)).toMatchObject({ ...SD21, up_block_types: ['UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D'] });
  });
});

describe('single-file checkpoint', () => {
  it('opens an SD 1.x-layout file with configs inferred from shapes', async () => {
    const path = join(root, 'sd1.safetensors');
    await writeTinyLdm(path, { family: 'sd1' });
    const m = await openModel(path, { configs: overrides });
    expect([m.source, m.unet.block_out_channels, m.unet.layers_per_block, m.unet.down_block_types, m.unet.use_linear_projection]).toEqual(['single-file', [16, 32], 1, ['CrossAttnDownBlock2D', 'DownBlock2D'], false]);
    expect([m.textEncoder.hidden_act, m.textEncoder.num_hidden_layers, m.vae.block_out_channels, m.scheduler._class_name, m.scheduler.prediction_type]).toEqual(['quick_gelu', 2, [8, 16], 'PNDMScheduler', 'epsilon']);
    const attn = await m.weights.vae.read('decoder.mid_block.attentions.0.to_q.weight');
    expect([attn.shape, attn.data[7]]).toEqual([[16, 16], Math.fround(valueAt('decoder.mid_block.attentions.0.to_q.weight', 7))]);
    const up = await m.weights.unet.read('up_blocks.1.resnets.1.conv1.weight');
    expect(up.data[11]).toBe(Math.fround(valueAt('up_blocks.1.resnets.1.conv1.weight', 11)));
  });

  it('opens SD 2.x OpenCLIP with q/k/v as thirds of in_proj, once the prediction type is known', async () => {
    const path = join(root, 'sd2.safetensors');
    await writeTinyLdm(path, { family: 'sd2' });
    const ask = await refusal(openSingleFile(path, { configs: overrides }));
    expect([ask.code, ask.details['needs'], ask.message]).toEqual(['invalid-argument', 'predictionType', expect.stringContaining('--prediction-type')]);
    const m = await openSingleFile(path, { configs: overrides, predictionType: 'v_prediction' });
    expect([m.textEncoder.hidden_act, m.textEncoder.num_hidden_layers, m.scheduler._class_name, m.scheduler.prediction_type]).toEqual(['gelu', 2, 'DDIMScheduler', 'v_prediction']);
    const k = m.weights.textEncoder.source('text_model.encoder.layers.1.self_attn.k_proj.weight');
    expect([k.shape, k.source.kind]).toEqual([[24, 24], 'file']);
    const kb = await m.weights.textEncoder.read('text_model.encoder.layers.1.self_attn.k_proj.bias');
    expect(kb.data[5]).toBe(Math.fround(valueAt('text_model.encoder.layers.1.self_attn.k_proj.bias', 5)));
    const meta = join(root, 'sd2-meta.safetensors');
    await writeTinyLdm(meta, { family: 'sd2', metadata: { 'modelspec.architecture': 'stable-diffusion-v2-768-v' } });
    expect((await openSingleFile(meta, { configs: overrides })).scheduler.prediction_type).toBe('v_prediction');
  });

  it('refuses SDXL, missing and stray tensors, and pickle files, by name', async () => {
    const xl = join(root, 'xl.safetensors');
    await writeSafetensors(xl, [{ name: 'conditioner.embedders.1.model.positional_embedding', dtype: 'F32', shape: [1], data: new Float32Array(1) }]);
    expect((await refusal(openSingleFile(xl))).message).toContain('an SDXL checkpoint');
    const unetOnly = join(root, 'diffusion_pytorch_model.safetensors');
    await writeSafetensors(unetOnly, ['conv_in.weight', 'time_embedding.linear_1.weight'].map((name) => ({ name, dtype: 'F32' as const, shape: [1], data: new Float32Array(1) })));
    expect((await refusal(openSingleFile(unetOnly))).message).toContain('the UNet weights of a diffusers folder; choose the folder holding model_index.json');
    const lora = join(root, 'lora.safetensors');
    await writeSafetensors(lora, [{ name: 'lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight', dtype: 'F32', shape: [1], data: new Float32Array(1) }]);
    expect((await refusal(openSingleFile(lora))).message).toContain('a LoRA, not a full model');
    const gone = join(root, 'gone.safetensors');
    await writeTinyLdm(gone, { family: 'sd1', drop: 'model.diffusion_model.output_blocks.3.1.proj_out.bias' });
    const e = await refusal(openSingleFile(gone, { configs: overrides }));
    expect([e.code, e.details['tensor']]).toEqual(['corrupt-file', 'model.diffusion_model.output_blocks.3.1.proj_out.bias']);
    const stray = join(root, 'stray.safetensors');
    await writeTinyLdm(stray, { family: 'sd1', extra: [{ name: 'model.diffusion_model.label_embed.weight', dtype: 'F32', shape: [1], data: new Float32Array(1) }] });
    expect((await refusal(openSingleFile(stray, { configs: overrides }))).details['tensor']).toBe('model.diffusion_model.label_embed.weight');
    expect((await refusal(openModel(join(root, 'model.ckpt')))).code).toBe('not-found');
    expect((await refusal(openSingleFile(join(root, 'model.ckpt')))).message).toContain('pickle');
  });
});
