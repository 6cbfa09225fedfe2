// Diffusers folder loading: plain, fp16 variant and sharded weights served by offset under diffusers
// keys; folders that are not a model, unsupported pipelines, and weights that do not match their
// config refused with the file and tensor named.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float32ToFloat16Bits } from '../../../../../src/engine/core/dtype';
import { EngineError } from '../../../../../src/engine/core/errors';
import { openDiffusersFolder } from '../../../../../src/engine/models/sd/loader';
import { MODEL_INDEX, tinyParams, valueAt, writeTinyFolder } from './tiny-folder';

const root = mkdtempSync(join(tmpdir(), 'aptp-sdf-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(root, `m${n++}`);

async function refusal(p: Promise<unknown>): Promise<EngineError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('diffusers folder', () => {
  it('opens a plain folder: configs, tokenizer files, every weight by file offset', async () => {
    const m = await openDiffusersFolder(await writeTinyFolder(fresh()));
    expect([m.source, m.family, m.variant, m.unet.block_out_channels, m.scheduler.timestep_spacing]).toEqual(['diffusers-folder', 'custom', null, [16, 32], 'leading']);
    expect(m.tokenizer?.vocab).toMatch(/tokenizer\/vocab\.json$/);
    expect(m.weights.unet.names.length).toBe(tinyParams.unet().length);
    const lookup = m.weights.unet.provider();
    const w = lookup({ name: 'conv_in.weight', shape: [16, 4, 3, 3] });
    expect([w.dtype, w.data.kind]).toEqual(['float32', 'file']);
    const t = await m.weights.textEncoder.read('text_model.encoder.layers.1.mlp.fc1.weight');
    expect(t.data[5]).toBeCloseTo(valueAt('text_model.encoder.layers.1.mlp.fc1.weight', 5), 6);
    expect(() => lookup({ name: 'conv_in.weight', shape: [16, 4, 1, 1] })).toThrow(/shape \[16, 4, 3, 3\] but the graph needs \[16, 4, 1, 1\]/);
  });

  it('reads the fp16 variant when asked (or when it is all there is), as float16 or float32', async () => {
    const dir = await writeTinyFolder(fresh(), { variant: 'fp16' });
    const m = await openDiffusersFolder(dir);
    expect(m.variant).toBe('fp16');
    const name = 'mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight';
    expect(m.weights.unet.source(name).dtype).toBe('float16');
    const f32 = await m.weights.unet.read(name, 'float32');
    expect(f32.data[3]).toBe(float16BitsToFloat32(float32ToFloat16Bits(valueAt(name, 3))));
    await expect(openDiffusersFolder(dir, { variant: 'none' })).rejects.toThrow(/variant\(s\) fp16: choose one/);
  });

  it('opens sharded checkpoints through their index, and transformers-5 text keys', async () => {
    const m = await openDiffusersFolder(await writeTinyFolder(fresh(), { sharded: true, unprefixedText: true }));
    expect(m.weights.vae.files.length).toBe(2);
    expect(m.weights.textEncoder.has('text_model.final_layer_norm.weight')).toBe(true);
    const v = await m.weights.vae.read('decoder.conv_out.bias');
    expect(v.data[1]).toBeCloseTo(valueAt('decoder.conv_out.bias', 1), 6);
    rmSync(join(m.path, 'unet', 'diffusion_pytorch_model-00002-of-00002.safetensors'));
    const e = await refusal(openDiffusersFolder(m.path));
    expect([e.code, e.message]).toEqual(['not-found', expect.stringContaining('the download is incomplete, fetch the missing shard')]);
  });

  it('names the file and tensor of missing, unexpected and mis-shaped weights', async () => {
    const missing = await refusal(openDiffusersFolder(await writeTinyFolder(fresh(), { edit: (c, l) => (c === 'vae' ? l.filter((t) => t.name !== 'quant_conv.bias') : l) })));
    expect([missing.code, missing.details['tensor']]).toEqual(['corrupt-file', 'quant_conv.bias']);
    expect(missing.message).toContain('vae/diffusion_pytorch_model.safetensors');
    const extra = await refusal(openDiffusersFolder(await writeTinyFolder(fresh(), { edit: (c, l) => (c === 'unet' ? [...l, { name: 'add_embedding.linear_1.weight', dtype: 'F32', shape: [1], data: new Float32Array(1) }] : l) })));
    expect(extra.details['tensor']).toBe('add_embedding.linear_1.weight');
    const shaped = await refusal(openDiffusersFolder(await writeTinyFolder(fresh(), { edit: (c, l) => (c === 'unet' ? l.map((t) => (t.name === 'conv_out.bias' ? { ...t, shape: [2, 2] } : t)) : l) })));
    expect([shaped.code, shaped.details['tensor']]).toEqual(['shape-mismatch', 'conv_out.bias']);
  });

  it('tells the user what to choose when the folder is not a model', async () => {
    const dir = await writeTinyFolder(fresh());
    expect((await refusal(openDiffusersFolder(join(dir, 'unet')))).message).toContain('choose the model folder above it');
    const empty = fresh();
    mkdirSync(empty);
    expect((await refusal(openDiffusersFolder(empty))).message).toContain('is not a Stable Diffusion model');
    writeFileSync(join(empty, 'v1-5.safetensors'), '');
    expect((await refusal(openDiffusersFolder(empty))).message).toContain('single-file checkpoint');
    expect((await refusal(openDiffusersFolder(join(root, 'nowhere')))).code).toBe('not-found');
  });

  it('refuses SDXL folders and pickle-only weights', async () => {
    const dir = await writeTinyFolder(fresh());
    writeFileSync(join(dir, 'model_index.json'), JSON.stringify({ ...MODEL_INDEX, _class_name: 'StableDiffusionXLPipeline', text_encoder_2: ['transformers', 'CLIPTextModelWithProjection'] }));
    const e = await refusal(openDiffusersFolder(dir));
    expect([e.code, e.message]).toEqual(['unsupported-model', expect.stringContaining('SDXL')]);
    const pickled = await writeTinyFolder(fresh());
    rmSync(join(pickled, 'vae', 'diffusion_pytorch_model.safetensors'));
    writeFileSync(join(pickled, 'vae', 'diffusion_pytorch_model.bin'), '');
    expect((await refusal(openDiffusersFolder(pickled))).message).toContain('only pickle weights');
  });
});
