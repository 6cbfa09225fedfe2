// Test helper: writes a tiny SD-like diffusers folder (real diffusers config keys, scaled down) with
// deterministic weights, in the plain, fp16-variant or sharded layouts save_pretrained produces.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { float32ToFloat16Bits } from '../../../../../src/engine/core/dtype';
import { parseClipTextConfig, parseUNetConfig, parseVaeConfig } from '../../../../../src/engine/models/sd/config';
import { type ExpectedParam, clipTextParams, unetParams, vaeParams } from '../../../../../src/engine/models/sd/loader/expected-params';
import { type TensorToWrite, writeSafetensors } from '../../../../../src/engine/weights';

export const TINY_UNET = {
  _class_name: 'UNet2DConditionModel', sample_size: 8, in_channels: 4, out_channels: 4, block_out_channels: [16, 32], layers_per_block: 1,
  down_block_types: ['CrossAttnDownBlock2D', 'DownBlock2D'], up_block_types: ['UpBlock2D', 'CrossAttnUpBlock2D'],
  cross_attention_dim: 24, attention_head_dim: 2, norm_num_groups: 8,
};
export const TINY_CLIP = { architectures: ['CLIPTextModel'], model_type: 'clip_text_model', hidden_size: 24, intermediate_size: 48, num_attention_heads: 2, num_hidden_layers: 2, vocab_size: 64, max_position_embeddings: 77, hidden_act: 'quick_gelu' };
export const TINY_VAE = { _class_name: 'AutoencoderKL', block_out_channels: [8, 16], down_block_types: ['DownEncoderBlock2D', 'DownEncoderBlock2D'], up_block_types: ['UpDecoderBlock2D', 'UpDecoderBlock2D'], layers_per_block: 1, norm_num_groups: 4, latent_channels: 4 };
export const MODEL_INDEX = {
  _class_name: 'StableDiffusionPipeline', _diffusers_version: '0.42.1',
  unet: ['diffusers', 'UNet2DConditionModel'], text_encoder: ['transformers', 'CLIPTextModel'], tokenizer: ['transformers', 'CLIPTokenizer'],
  vae: ['diffusers', 'AutoencoderKL'], scheduler: ['diffusers', 'PNDMScheduler'], safety_checker: [null, null], feature_extractor: [null, null],
};

const o = { file: 'test', component: 'test' };
export const tinyParams = {
  unet: (): ExpectedParam[] => unetParams(parseUNetConfig(TINY_UNET, o)),
  text_encoder: (): ExpectedParam[] => clipTextParams(parseClipTextConfig(TINY_CLIP, o)),
  vae: (): ExpectedParam[] => vaeParams(parseVaeConfig(TINY_VAE, o)),
};

/** Deterministic value of element i of parameter `name` (so a test can check any element read back). */
export function valueAt(name: string, i: number): number {
  let h = 7;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) % 1000;
  return ((h + i * 13) % 97) / 64 - 0.75;
}

function tensors(params: readonly ExpectedParam[], half: boolean): TensorToWrite[] {
  return params.map((p) => {
    const n = p.shape.reduce((a, b) => a * b, 1);
    const f = Float32Array.from({ length: n }, (_, i) => valueAt(p.name, i));
    return half ? { name: p.name, dtype: 'F16', shape: p.shape, data: Uint16Array.from(f, float32ToFloat16Bits) } : { name: p.name, dtype: 'F32', shape: p.shape, data: f };
  });
}

export interface TinyFolderOptions {
  readonly variant?: 'fp16';
  readonly sharded?: boolean;
  /** Edits the tensor list of a component before it is written. */
  readonly edit?: (component: string, list: TensorToWrite[]) => TensorToWrite[];
  /** Text-encoder keys as transformers 5 saves them (no `text_model.` prefix). */
  readonly unprefixedText?: boolean;
}

const json = (path: string, value: unknown): void => writeFileSync(path, JSON.stringify(value, null, 2));

async function writeComponent(dir: string, component: keyof typeof tinyParams, options: TinyFolderOptions): Promise<void> {
  const base = component === 'text_encoder' ? 'model' : 'diffusion_pytorch_model';
  let list = tensors(tinyParams[component](), options.variant === 'fp16');
  if (component === 'text_encoder' && options.unprefixedText) list = list.map((t) => ({ ...t, name: t.name.replace(/^text_model\./, '') }));
  if (options.edit) list = options.edit(component, list);
  const v = options.variant ? `.${options.variant}` : '';
  if (!options.sharded) return writeSafetensors(join(dir, `${base}${v}.safetensors`), list, { format: 'pt' });
  const half = Math.ceil(list.length / 2);
  const shards = [list.slice(0, half), list.slice(half)];
  const weightMap: Record<string, string> = {};
  for (const [i, shard] of shards.entries()) {
    const name = `${base}-0000${i + 1}-of-00002${v}.safetensors`;
    await writeSafetensors(join(dir, name), shard, { format: 'pt' });
    for (const t of shard) weightMap[t.name] = name;
  }
  json(join(dir, `${base}.safetensors.index${v}.json`), { metadata: { total_size: 0 }, weight_map: weightMap });
}

/** Writes the folder and returns its path. */
export async function writeTinyFolder(dir: string, options: TinyFolderOptions = {}): Promise<string> {
  for (const sub of ['unet', 'text_encoder', 'vae', 'scheduler', 'tokenizer']) mkdirSync(join(dir, sub), { recursive: true });
  json(join(dir, 'model_index.json'), MODEL_INDEX);
  json(join(dir, 'unet', 'config.json'), TINY_UNET);
  json(join(dir, 'text_encoder', 'config.json'), TINY_CLIP);
  json(join(dir, 'vae', 'config.json'), TINY_VAE);
  json(join(dir, 'scheduler', 'scheduler_config.json'), { _class_name: 'PNDMScheduler', beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012, skip_prk_steps: true, steps_offset: 1 });
  json(join(dir, 'tokenizer', 'vocab.json'), { '!': 0, 'a</w>': 1, '<|startoftext|>': 2, '<|endoftext|>': 3 });
  writeFileSync(join(dir, 'tokenizer', 'merges.txt'), '#version: 0.2\n');
  for (const c of ['unet', 'text_encoder', 'vae'] as const) await writeComponent(join(dir, c), c, options);
  return dir;
}
