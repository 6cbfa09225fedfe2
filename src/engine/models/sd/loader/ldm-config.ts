// Diffusers configs for an original-layout single-file checkpoint, read off its tensor names and
// shapes: UNet levels, channels, layers, attention placement, context size and projection kind; VAE
// channels and depth; CLIP (SD 1.x) or OpenCLIP (SD 2.x) sizes. What weights cannot say (attention
// heads, GroupNorm groups) follows the SD 1.x/2.x releases (8 heads / 64-dim heads, 32 groups), and
// architectures that are not SD 1.x/2.x (SDXL, SD3, Flux, upscalers) are named and refused.
import { EngineError } from '../../../core/errors';
import type { SafetensorsEntry } from '../../../weights';
import { CLIP_PREFIX, OPENCLIP_PREFIX, UNET_PREFIX, VAE_PREFIX } from './ldm-keys';

export type Tensors = ReadonlyMap<string, SafetensorsEntry>;
type Json = Record<string, unknown>;

const FOREIGN: readonly (readonly [RegExp, string])[] = [
  [/^conditioner\.embedders\./, 'an SDXL checkpoint (conditioner.embedders.*)'],
  [/^(model\.diffusion_model\.)?joint_blocks\./, 'a Stable Diffusion 3 checkpoint (MMDiT joint_blocks)'],
  [/^(model\.diffusion_model\.)?double_blocks\./, 'a Flux checkpoint (double_blocks)'],
  [/^model\.diffusion_model\.label_emb\./, 'a class-conditioned UNet (label_emb: SDXL or an upscaler)'],
  [/^control_model\./, 'a ControlNet checkpoint'],
  [/^(lora_unet_|lora_te_)|\.lora_(up|down)\.|\.lora_[AB]\./, 'a LoRA, not a full model'],
  [/^(emb_params|string_to_param\.|clip_[lg])$/, 'a textual-inversion embedding, not a model'],
];

/** Files that hold one component in another layout: named so the user can choose the right thing. */
const PARTIAL: readonly (readonly [(keys: ReadonlySet<string>) => boolean, string])[] = [
  [(k) => k.has('conv_in.weight') && k.has('time_embedding.linear_1.weight'), 'the UNet weights of a diffusers folder; choose the folder holding model_index.json'],
  [(k) => k.has('encoder.conv_in.weight') && k.has('decoder.conv_in.weight'), 'a standalone VAE; choose a full SD 1.x/2.x checkpoint or a diffusers folder'],
  [(k) => k.has('text_model.embeddings.token_embedding.weight') || k.has('embeddings.token_embedding.weight'), 'the text encoder weights of a diffusers folder; choose the folder holding model_index.json'],
];

function shapeOf(t: Tensors, key: string, file: string): readonly number[] {
  const e = t.get(key);
  if (!e) throw new EngineError('corrupt-file', `${file}: tensor '${key}' is missing; the checkpoint is incomplete or not an SD 1.x/2.x single file.`, { file, tensor: key });
  return e.shape;
}

function dim(shape: readonly number[], i: number): number {
  return shape[i] ?? 0;
}

/** Refuses checkpoints of other architectures by name, and UNet-only / partial files. */
export function checkSingleFileKind(t: Tensors, file: string): 'sd1' | 'sd2' {
  for (const key of t.keys()) {
    const hit = FOREIGN.find(([re]) => re.test(key));
    if (hit) throw new EngineError('unsupported-model', `${file} is ${hit[1]}; supported: SD 1.x and SD 2.x checkpoints.`, { file, tensor: key });
  }
  const names = new Set(t.keys());
  const partial = PARTIAL.find(([test]) => test(names));
  if (partial) throw new EngineError('unsupported-model', `${file} is ${partial[1]}.`, { file });
  const has = (prefix: string): boolean => [...names].some((k) => k.startsWith(prefix));
  const parts = [['UNet', UNET_PREFIX], ['VAE', VAE_PREFIX]] as const;
  const absent = parts.filter(([, p]) => !has(p)).map(([n]) => n);
  const clip = has(CLIP_PREFIX) ? 'sd1' : has(OPENCLIP_PREFIX) ? 'sd2' : null;
  if (absent.length > 0 || clip === null) {
    const missing = [...absent, ...(clip === null ? ['text encoder'] : [])].join(', ');
    throw new EngineError('unsupported-model', `${file} has no ${missing} weights in the original single-file layout (model.diffusion_model.*, first_stage_model.*, cond_stage_model.*); choose a full SD 1.x/2.x checkpoint or a diffusers folder.`, { file, missing });
  }
  return clip;
}

function count(t: Tensors, re: RegExp): number {
  let n = 0;
  for (const key of t.keys()) {
    const m = re.exec(key);
    if (m) n = Math.max(n, Number(m[1]) + 1);
  }
  return n;
}

/** The UNet config implied by the model.diffusion_model.* tensors. */
export function inferUNetConfig(t: Tensors, file: string, family: 'sd1' | 'sd2', v: boolean): Json {
  const P = UNET_PREFIX;
  const convIn = shapeOf(t, `${P}input_blocks.0.0.weight`, file);
  const blocks = count(t, /^model\.diffusion_model\.input_blocks\.(\d+)\./);
  const levels = 1 + [...t.keys()].filter((k) => /^model\.diffusion_model\.input_blocks\.\d+\.0\.op\.weight$/.test(k)).length;
  const layers = (blocks - 1 - (levels - 1)) / levels;
  if (!Number.isInteger(layers) || layers < 1) throw new EngineError('unsupported-model', `${file}: ${blocks} UNet input blocks over ${levels} levels do not form an SD UNet.`, { file });
  const channels: number[] = [];
  const attn: boolean[] = [];
  for (let i = 0; i < levels; i++) {
    const k = 1 + i * (layers + 1);
    channels.push(dim(shapeOf(t, `${P}input_blocks.${k}.0.out_layers.3.weight`, file), 0));
    attn.push(t.has(`${P}input_blocks.${k}.1.proj_in.weight`));
  }
  const projIn = shapeOf(t, `${P}middle_block.1.proj_in.weight`, file);
  const context = dim(shapeOf(t, `${P}middle_block.1.transformer_blocks.0.attn2.to_k.weight`, file), 1);
  return {
    _class_name: 'UNet2DConditionModel',
    sample_size: family === 'sd2' && v ? 96 : 64,
    in_channels: dim(convIn, 1),
    out_channels: dim(shapeOf(t, `${P}out.2.weight`, file), 0),
    block_out_channels: channels,
    layers_per_block: layers,
    down_block_types: attn.map((a) => (a ? 'CrossAttnDownBlock2D' : 'DownBlock2D')),
    up_block_types: [...attn].reverse().map((a) => (a ? 'CrossAttnUpBlock2D' : 'UpBlock2D')),
    cross_attention_dim: context,
    attention_head_dim: family === 'sd2' ? channels.map((c) => c / 64) : 8,
    use_linear_projection: projIn.length === 2,
    upcast_attention: family === 'sd2',
  };
}

/** The AutoencoderKL config implied by the first_stage_model.* tensors. */
export function inferVaeConfig(t: Tensors, file: string, family: 'sd1' | 'sd2', v: boolean): Json {
  const P = VAE_PREFIX;
  const convIn = shapeOf(t, `${P}encoder.conv_in.weight`, file);
  const levels = count(t, /^first_stage_model\.encoder\.down\.(\d+)\./);
  const channels = Array.from({ length: levels }, (_, i) => dim(shapeOf(t, `${P}encoder.down.${i}.block.0.conv2.weight`, file), 0));
  return {
    _class_name: 'AutoencoderKL',
    in_channels: dim(convIn, 1),
    out_channels: dim(shapeOf(t, `${P}decoder.conv_out.weight`, file), 0),
    block_out_channels: channels,
    down_block_types: channels.map(() => 'DownEncoderBlock2D'),
    up_block_types: channels.map(() => 'UpDecoderBlock2D'),
    layers_per_block: count(t, /^first_stage_model\.encoder\.down\.0\.block\.(\d+)\./),
    latent_channels: dim(shapeOf(t, `${P}decoder.conv_in.weight`, file), 1),
    sample_size: family === 'sd2' && v ? 768 : 512,
    scaling_factor: 0.18215,
  };
}

/** CLIP ViT-L and OpenCLIP ViT-H both use 64-dim heads; other widths get one head unless overridden. */
function headsOf(hidden: number): number {
  return hidden % 64 === 0 ? hidden / 64 : 1;
}

/** The CLIPTextModel config: SD 1.x CLIP ViT-L (quick_gelu) or SD 2.x OpenCLIP ViT-H (gelu, penultimate layer). */
export function inferClipConfig(t: Tensors, file: string, family: 'sd1' | 'sd2'): Json {
  if (family === 'sd1') {
    const p = `${CLIP_PREFIX}text_model.`;
    const tok = shapeOf(t, `${p}embeddings.token_embedding.weight`, file);
    const hidden = dim(tok, 1);
    return {
      architectures: ['CLIPTextModel'], model_type: 'clip_text_model', hidden_act: 'quick_gelu', vocab_size: dim(tok, 0), hidden_size: hidden,
      max_position_embeddings: dim(shapeOf(t, `${p}embeddings.position_embedding.weight`, file), 0),
      num_hidden_layers: count(t, /^cond_stage_model\.transformer\.text_model\.encoder\.layers\.(\d+)\./),
      intermediate_size: dim(shapeOf(t, `${p}encoder.layers.0.mlp.fc1.weight`, file), 0),
      num_attention_heads: headsOf(hidden), projection_dim: 768,
    };
  }
  const p = OPENCLIP_PREFIX;
  const tok = shapeOf(t, `${p}token_embedding.weight`, file);
  const hidden = dim(tok, 1);
  return {
    architectures: ['CLIPTextModel'], model_type: 'clip_text_model', hidden_act: 'gelu', vocab_size: dim(tok, 0), hidden_size: hidden,
    max_position_embeddings: dim(shapeOf(t, `${p}positional_embedding`, file), 0),
    num_hidden_layers: count(t, /^cond_stage_model\.model\.transformer\.resblocks\.(\d+)\./) - 1,
    intermediate_size: dim(shapeOf(t, `${p}transformer.resblocks.0.mlp.c_fc.weight`, file), 0),
    num_attention_heads: headsOf(hidden), projection_dim: 512, pad_token_id: 1,
  };
}

/** The scheduler the SD 1.5 / 2.1 releases ship (PNDM / DDIM, scaled-linear betas). */
export function defaultSchedulerConfig(family: 'sd1' | 'sd2', prediction: string): Json {
  const common = { beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012, num_train_timesteps: 1000, steps_offset: 1, set_alpha_to_one: false, clip_sample: false, prediction_type: prediction };
  return family === 'sd1' ? { _class_name: 'PNDMScheduler', skip_prk_steps: true, ...common } : { _class_name: 'DDIMScheduler', ...common };
}
