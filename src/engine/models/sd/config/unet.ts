// UNet2DConditionModel config (unet/config.json) exactly as diffusers reads it: every key with its
// diffusers default, int-or-per-block fields kept as written, unknown keys dropped. `parseUNetConfig`
// also refuses architectures the engine does not build (SDXL, upscalers, IF, LCM...) by name, and
// `unetBlocks` resolves the per-block layout (channels, layers, heads, head dim) as diffusers does.
import { z } from 'zod';
import { EngineError } from '../../../core/errors';
import { DIFFUSERS_METADATA, type KeyRules, checkKeys } from './keys';
import { type ConfigOrigin, type DeepReadonly, LIMITS, parseWith, perBlock, size } from './parse';

const intOrList = (max: number) => z.union([size(max), z.array(size(max)).max(LIMITS.blocks)]);
const boolOrList = z.union([z.boolean(), z.array(z.boolean())]);
const nullableString = z.string().nullable().default(null);
const nullableInt = z.number().int().nullable().default(null);

export const DOWN_BLOCK_TYPES = ['CrossAttnDownBlock2D', 'DownBlock2D'] as const;
export const UP_BLOCK_TYPES = ['CrossAttnUpBlock2D', 'UpBlock2D'] as const;
export const MID_BLOCK_TYPES = ['UNetMidBlock2DCrossAttn'] as const;

export const unetConfigSchema = z.object({
  _class_name: z.string().default('UNet2DConditionModel'),
  _diffusers_version: z.string().optional(),
  sample_size: z.union([size(LIMITS.latentSide), z.array(size(LIMITS.latentSide)).length(2)]).nullable().default(null),
  in_channels: size(LIMITS.ioChannels).default(4),
  out_channels: size(LIMITS.ioChannels).default(4),
  center_input_sample: z.boolean().default(false),
  flip_sin_to_cos: z.boolean().default(true),
  freq_shift: z.number().default(0),
  down_block_types: z.array(z.string()).min(1).max(LIMITS.blocks).default(['CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'CrossAttnDownBlock2D', 'DownBlock2D']),
  mid_block_type: z.string().nullable().default('UNetMidBlock2DCrossAttn'),
  up_block_types: z.array(z.string()).min(1).max(LIMITS.blocks).default(['UpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D', 'CrossAttnUpBlock2D']),
  only_cross_attention: boolOrList.default(false),
  block_out_channels: z.array(size(LIMITS.channels)).min(1).max(LIMITS.blocks).default([320, 640, 1280, 1280]),
  layers_per_block: intOrList(LIMITS.layers).default(2),
  downsample_padding: z.union([z.literal(0), z.literal(1)], { error: 'diffusers SD UNets use 1, or 0 with a right/bottom pad; other paddings change the latent sizes' }).default(1),
  mid_block_scale_factor: z.number().default(1),
  dropout: z.number().default(0),
  act_fn: z.string().default('silu'),
  norm_num_groups: size(LIMITS.channels).nullable().default(32),
  norm_eps: z.number().positive().default(1e-5),
  cross_attention_dim: intOrList(LIMITS.channels).default(1280),
  transformer_layers_per_block: z.union([size(LIMITS.layers), z.array(z.unknown()).max(LIMITS.blocks)]).default(1),
  reverse_transformer_layers_per_block: z.array(z.unknown()).nullable().default(null),
  encoder_hid_dim: nullableInt,
  encoder_hid_dim_type: nullableString,
  attention_head_dim: intOrList(LIMITS.channels).default(8),
  num_attention_heads: intOrList(LIMITS.channels).nullable().default(null),
  dual_cross_attention: z.boolean().default(false),
  use_linear_projection: z.boolean().default(false),
  class_embed_type: nullableString,
  addition_embed_type: nullableString,
  addition_time_embed_dim: nullableInt,
  num_class_embeds: nullableInt,
  upcast_attention: z.boolean().nullable().default(false),
  resnet_time_scale_shift: z.string().default('default'),
  resnet_skip_time_act: z.boolean().default(false),
  resnet_out_scale_factor: z.number().default(1),
  time_embedding_type: z.string().default('positional'),
  time_embedding_dim: nullableInt,
  time_embedding_act_fn: nullableString,
  timestep_post_act: nullableString,
  time_cond_proj_dim: nullableInt,
  conv_in_kernel: size(LIMITS.kernel).default(3),
  conv_out_kernel: size(LIMITS.kernel).default(3),
  projection_class_embeddings_input_dim: nullableInt,
  attention_type: z.string().default('default'),
  class_embeddings_concat: z.boolean().default(false),
  mid_block_only_cross_attention: z.boolean().nullable().default(null),
  cross_attention_norm: nullableString,
  addition_embed_type_num_heads: z.number().int().default(64),
});

export type UNetConfig = DeepReadonly<z.output<typeof unetConfigSchema>>;

const NOT_SD = 'SD 1.x/2.x UNets do not use it';

/** What the engine does with each UNet2DConditionModel key (see keys.ts). */
export const UNET_KEY_RULES: KeyRules = {
  ...DIFFUSERS_METADATA,
  sample_size: 'honoured', in_channels: 'honoured', out_channels: 'honoured', center_input_sample: 'honoured',
  flip_sin_to_cos: 'honoured', freq_shift: 'honoured', down_block_types: 'honoured', mid_block_type: 'honoured',
  up_block_types: 'honoured', block_out_channels: 'honoured', layers_per_block: 'honoured', downsample_padding: 'honoured',
  mid_block_scale_factor: 'honoured', act_fn: 'honoured', norm_num_groups: 'honoured', norm_eps: 'honoured',
  cross_attention_dim: 'honoured', attention_head_dim: 'honoured', use_linear_projection: 'honoured',
  dropout: { inert: 'dropout is off at inference, and the pruning trainer does not use it' },
  upcast_attention: { inert: 'the engine always computes attention scores and softmax in float32' },
  transformer_layers_per_block: { only: 1, why: 'one transformer layer per block (several are SDXL style)' },
  reverse_transformer_layers_per_block: { only: null, why: 'SDXL-style per-block transformer depths' },
  num_attention_heads: { only: null, why: "diffusers' UNet2DConditionModel itself refuses num_attention_heads; SD configs give heads as attention_head_dim" },
  only_cross_attention: { only: false, why: NOT_SD },
  mid_block_only_cross_attention: 'honoured',
  dual_cross_attention: { only: false, why: NOT_SD },
  encoder_hid_dim: { only: null, why: NOT_SD },
  encoder_hid_dim_type: { only: null, why: NOT_SD },
  class_embed_type: { only: null, why: NOT_SD },
  num_class_embeds: { only: null, why: NOT_SD },
  addition_embed_type: { only: null, why: NOT_SD },
  addition_time_embed_dim: { inert: 'read by diffusers only with addition_embed_type, which is refused' },
  addition_embed_type_num_heads: { inert: 'read by diffusers only with addition_embed_type, which is refused' },
  projection_class_embeddings_input_dim: { inert: "read by diffusers only with class_embed_type 'projection', which is refused" },
  class_embeddings_concat: { only: false, why: NOT_SD },
  resnet_time_scale_shift: { only: 'default', why: NOT_SD },
  resnet_skip_time_act: { only: false, why: NOT_SD },
  resnet_out_scale_factor: { only: 1, why: NOT_SD },
  time_embedding_type: { only: 'positional', why: NOT_SD },
  time_embedding_dim: { only: null, why: NOT_SD },
  time_embedding_act_fn: { only: null, why: NOT_SD },
  timestep_post_act: { only: null, why: NOT_SD },
  time_cond_proj_dim: { only: null, why: NOT_SD },
  conv_in_kernel: { only: 3, why: NOT_SD },
  conv_out_kernel: { only: 3, why: NOT_SD },
  attention_type: { only: 'default', why: NOT_SD },
  cross_attention_norm: { only: null, why: NOT_SD },
};

const SUPPORTED = 'supported: SD 1.x and SD 2.x text-to-image UNets';

/** Names the architecture of a config the engine cannot build, or returns null when it can. */
export function unsupportedUNet(c: UNetConfig): string | null {
  if (c._class_name !== 'UNet2DConditionModel') return `this is a ${c._class_name}, not a UNet2DConditionModel`;
  if (c.addition_embed_type === 'text_time') return `this is an SDXL UNet (addition_embed_type 'text_time')`;
  if (c.addition_embed_type !== null) return `this UNet uses addition_embed_type '${c.addition_embed_type}' (Kandinsky / IF style)`;
  if (c.class_embed_type !== null || c.num_class_embeds !== null) return `this UNet is class-conditioned (class_embed_type '${c.class_embed_type ?? 'embedding'}': an upscaler or unCLIP model)`;
  if (c.encoder_hid_dim_type !== null || c.encoder_hid_dim !== null) return `this UNet projects encoder states (encoder_hid_dim_type '${c.encoder_hid_dim_type ?? 'linear'}': DeepFloyd IF / Kandinsky)`;
  if (c.time_cond_proj_dim !== null) return 'this is a guidance-distilled UNet (time_cond_proj_dim, e.g. LCM)';
  if (c.in_channels !== 4 || c.out_channels !== 4) return `this UNet has ${c.in_channels} input / ${c.out_channels} output channels (inpainting, depth or upscaler variant); only 4-channel text-to-image UNets are supported`;
  if (!isUniform(c.transformer_layers_per_block, 1) || c.reverse_transformer_layers_per_block !== null) return 'this UNet stacks several transformer layers per block (SDXL style)';
  if (c.dual_cross_attention) return 'this UNet uses dual cross-attention (Versatile Diffusion)';
  if (!isUniform(c.only_cross_attention, false) || c.mid_block_only_cross_attention === true) return 'this UNet uses only_cross_attention blocks';
  if (c.attention_type !== 'default') return `this UNet uses attention_type '${c.attention_type}' (GLIGEN)`;
  if (c.time_embedding_type !== 'positional') return `this UNet uses time_embedding_type '${c.time_embedding_type}'`;
  return unsupportedLayout(c);
}

function unsupportedLayout(c: UNetConfig): string | null {
  const badDown = c.down_block_types.find((t) => !(DOWN_BLOCK_TYPES as readonly string[]).includes(t));
  if (badDown !== undefined) return `this UNet has a '${badDown}' down block (supported: ${DOWN_BLOCK_TYPES.join(', ')})`;
  const badUp = c.up_block_types.find((t) => !(UP_BLOCK_TYPES as readonly string[]).includes(t));
  if (badUp !== undefined) return `this UNet has a '${badUp}' up block (supported: ${UP_BLOCK_TYPES.join(', ')})`;
  if (c.mid_block_type === null || !(MID_BLOCK_TYPES as readonly string[]).includes(c.mid_block_type)) return `this UNet has mid block '${c.mid_block_type ?? 'none'}' (supported: ${MID_BLOCK_TYPES.join(', ')})`;
  if (c.act_fn !== 'silu' || c.time_embedding_act_fn !== null || c.timestep_post_act !== null) return `this UNet uses activation '${c.act_fn}'${c.time_embedding_act_fn ? ` / time act '${c.time_embedding_act_fn}'` : ''} (SD uses silu)`;
  if (c.resnet_time_scale_shift !== 'default' || c.resnet_skip_time_act || c.resnet_out_scale_factor !== 1) return `this UNet uses resnet_time_scale_shift '${c.resnet_time_scale_shift}' ResNets (DeepFloyd IF style)`;
  if (c.conv_in_kernel !== 3 || c.conv_out_kernel !== 3) return `this UNet uses ${c.conv_in_kernel}x${c.conv_in_kernel} conv_in / ${c.conv_out_kernel}x${c.conv_out_kernel} conv_out kernels (SD uses 3x3)`;
  if (c.norm_num_groups === null) return 'this UNet has norm_num_groups null (no GroupNorm)';
  if (c.cross_attention_norm !== null) return `this UNet uses cross_attention_norm '${c.cross_attention_norm}'`;
  if (c.class_embeddings_concat || c.time_embedding_dim !== null) return 'this UNet has a non-standard time embedding (time_embedding_dim / class_embeddings_concat)';
  if (Array.isArray(c.cross_attention_dim) && new Set(c.cross_attention_dim).size > 1) return 'this UNet has a different cross_attention_dim per block';
  return null;
}

function isUniform(value: unknown, expected: unknown): boolean {
  return Array.isArray(value) ? value.every((v) => v === expected) : value === expected;
}

/** Parses unet/config.json, checks it is a supported architecture and that its per-block lists fit. */
export function parseUNetConfig(json: unknown, origin: ConfigOrigin): UNetConfig {
  const config = parseWith(unetConfigSchema, json, origin);
  const why = unsupportedUNet(config);
  if (why !== null) throw new EngineError('unsupported-model', `${origin.file}: ${why}; ${SUPPORTED}.`, { file: origin.file, component: origin.component, reason: why });
  checkKeys(json as Record<string, unknown>, UNET_KEY_RULES, 'UNet2DConditionModel', origin);
  unetBlocks(config, origin);
  return config;
}

/** One down (or up, or mid) block as diffusers builds it. */
export interface UNetBlockSpec {
  readonly type: string;
  /** Output channels of the block. */
  readonly channels: number;
  /** ResNets per block (down: layers_per_block; up: layers_per_block + 1); mid: transformers (it has layers + 1 ResNets). */
  readonly layers: number;
  readonly crossAttention: boolean;
  /** Attention heads of each transformer (diffusers: num_attention_heads ?? attention_head_dim). */
  readonly heads: number;
  /** channels / heads. */
  readonly headDim: number;
  readonly crossAttentionDim: number;
}

export interface UNetLayout {
  readonly down: readonly UNetBlockSpec[];
  readonly mid: UNetBlockSpec;
  readonly up: readonly UNetBlockSpec[];
}

/** The per-block layout as diffusers resolves it (heads from the historic attention_head_dim naming). */
export function unetBlocks(c: UNetConfig, origin: ConfigOrigin = { file: 'unet/config.json', component: 'unet' }): UNetLayout {
  const n = c.down_block_types.length;
  const bad = (what: string): EngineError => new EngineError('corrupt-file', `${origin.file}: ${what}; the config is inconsistent, re-download the model.`, { file: origin.file, component: origin.component });
  if (c.up_block_types.length !== n || c.block_out_channels.length !== n) throw bad(`${n} down_block_types but ${c.up_block_types.length} up_block_types and ${c.block_out_channels.length} block_out_channels`);
  const heads = perBlock(c.num_attention_heads ?? c.attention_head_dim, n, c.num_attention_heads === null ? 'attention_head_dim' : 'num_attention_heads', origin);
  const layers = perBlock(c.layers_per_block, n, 'layers_per_block', origin);
  const cross = perBlock(c.cross_attention_dim, n, 'cross_attention_dim', origin);
  const spec = (type: string, i: number, ch: number, nLayers: number): UNetBlockSpec => {
    const h = heads[i] ?? 1;
    if (ch % h !== 0) throw bad(`block ${i} has ${ch} channels, not divisible by ${h} attention heads`);
    if (c.norm_num_groups !== null && ch % c.norm_num_groups !== 0) throw bad(`block ${i} has ${ch} channels, not divisible by norm_num_groups ${c.norm_num_groups}`);
    return { type, channels: ch, layers: nLayers, crossAttention: type.startsWith('CrossAttn') || type === 'UNetMidBlock2DCrossAttn', heads: h, headDim: ch / h, crossAttentionDim: cross[i] ?? 0 };
  };
  const channels = c.block_out_channels;
  const down = c.down_block_types.map((t, i) => spec(t, i, channels[i] ?? 0, layers[i] ?? 1));
  const mid = spec(c.mid_block_type ?? 'UNetMidBlock2DCrossAttn', n - 1, channels[n - 1] ?? 0, 1);
  const up = c.up_block_types.map((t, i) => spec(t, n - 1 - i, channels[n - 1 - i] ?? 0, (layers[n - 1 - i] ?? 1) + 1));
  return { down, mid, up };
}
