// The world model's shape: diffusers configs of a small SD-style pipeline for 64x64 images (a VAE
// with factor 4 -> 4x16x16 latents; a three-level UNet of 32/64/64 channels with cross-attention at
// 8x8 and 4x4 in two down blocks, two up blocks and the mid block, so every kind of APTP gate site
// exists; a two-layer CLIP text encoder over the world's vocabulary), the DDIM scheduler config and
// model_index.json. Sizes are set by what a shared 2-core CPU can train: attention at 16x16 and VAE
// channels above 8/16/32 made a training step several times slower.
import { CAPTION_WORDS } from './vocabulary';
import { tokenizerVocab } from './tokenizer';

export const WORLD_UNET = {
  _class_name: 'UNet2DConditionModel', _diffusers_version: '0.31.0', sample_size: 16, in_channels: 4, out_channels: 4,
  block_out_channels: [32, 64, 64], layers_per_block: 1,
  down_block_types: ['DownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D'],
  up_block_types: ['CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'UpBlock2D'],
  mid_block_type: 'UNetMidBlock2DCrossAttn', cross_attention_dim: 64, attention_head_dim: 4, norm_num_groups: 32,
  flip_sin_to_cos: true, freq_shift: 0, act_fn: 'silu', norm_eps: 1e-5, downsample_padding: 1,
} as const;

export const WORLD_VAE = {
  _class_name: 'AutoencoderKL', _diffusers_version: '0.31.0', in_channels: 3, out_channels: 3, sample_size: 64,
  block_out_channels: [8, 16, 32], down_block_types: ['DownEncoderBlock2D', 'DownEncoderBlock2D', 'DownEncoderBlock2D'],
  up_block_types: ['UpDecoderBlock2D', 'UpDecoderBlock2D', 'UpDecoderBlock2D'], layers_per_block: 1, norm_num_groups: 4,
  latent_channels: 4, act_fn: 'silu',
} as const;

/** The text encoder config; the vocabulary size and special ids follow the tokenizer. */
export function worldTextConfig(): Record<string, unknown> {
  const vocab = tokenizerVocab(CAPTION_WORDS);
  const eos = vocab.get('<|endoftext|>') ?? 0;
  return {
    architectures: ['CLIPTextModel'], model_type: 'clip_text_model', hidden_size: 64, intermediate_size: 128, num_attention_heads: 4,
    num_hidden_layers: 2, vocab_size: vocab.size, max_position_embeddings: 77, hidden_act: 'quick_gelu', layer_norm_eps: 1e-5,
    projection_dim: 64, bos_token_id: vocab.get('<|startoftext|>') ?? 0, eos_token_id: eos, pad_token_id: eos,
  };
}

export const WORLD_SCHEDULER = {
  _class_name: 'DDIMScheduler', _diffusers_version: '0.31.0', num_train_timesteps: 1000, beta_start: 0.00085, beta_end: 0.012,
  beta_schedule: 'scaled_linear', clip_sample: false, set_alpha_to_one: false, steps_offset: 1, prediction_type: 'epsilon', timestep_spacing: 'leading',
} as const;

export const WORLD_MODEL_INDEX = {
  _class_name: 'StableDiffusionPipeline', _diffusers_version: '0.31.0',
  unet: ['diffusers', 'UNet2DConditionModel'], text_encoder: ['transformers', 'CLIPTextModel'], tokenizer: ['transformers', 'CLIPTokenizer'],
  vae: ['diffusers', 'AutoencoderKL'], scheduler: ['diffusers', 'DDIMScheduler'], safety_checker: [null, null], feature_extractor: [null, null],
  requires_safety_checker: false,
} as const;
