// AutoencoderKL config (vae/config.json) as diffusers reads it, with its defaults. SD 1.x/2.x VAEs
// have 4 latent channels, quant convs and a mid-block attention; SD3 / Flux VAEs (16 channels, a
// shift_factor, no quant convs) and other autoencoder classes are refused by name.
import { z } from 'zod';
import { EngineError } from '../../../core/errors';
import { DIFFUSERS_METADATA, type KeyRules, checkKeys } from './keys';
import { type ConfigOrigin, type DeepReadonly, LIMITS, parseWith, size } from './parse';

export const vaeConfigSchema = z.object({
  _class_name: z.string().default('AutoencoderKL'),
  _diffusers_version: z.string().optional(),
  in_channels: size(LIMITS.ioChannels).default(3),
  out_channels: size(LIMITS.ioChannels).default(3),
  down_block_types: z.array(z.string()).min(1).max(LIMITS.blocks).default(['DownEncoderBlock2D']),
  up_block_types: z.array(z.string()).min(1).max(LIMITS.blocks).default(['UpDecoderBlock2D']),
  block_out_channels: z.array(size(LIMITS.channels)).min(1).max(LIMITS.blocks).default([64]),
  layers_per_block: size(LIMITS.layers).default(1),
  act_fn: z.string().default('silu'),
  latent_channels: size(LIMITS.ioChannels).default(4),
  norm_num_groups: size(LIMITS.channels).default(32),
  sample_size: z.union([size(LIMITS.pixelSide), z.array(size(LIMITS.pixelSide)).max(2)]).default(32),
  scaling_factor: z.number().positive().default(0.18215),
  shift_factor: z.number().nullable().default(null),
  latents_mean: z.array(z.number()).max(LIMITS.ioChannels).nullable().default(null),
  latents_std: z.array(z.number()).max(LIMITS.ioChannels).nullable().default(null),
  force_upcast: z.boolean().default(true),
  use_quant_conv: z.boolean().default(true),
  use_post_quant_conv: z.boolean().default(true),
  mid_block_add_attention: z.boolean().default(true),
});

export type VaeConfig = DeepReadonly<z.output<typeof vaeConfigSchema>>;

/** What the engine does with each AutoencoderKL key (see keys.ts). */
export const VAE_KEY_RULES: KeyRules = {
  ...DIFFUSERS_METADATA,
  in_channels: 'honoured', out_channels: 'honoured', down_block_types: 'honoured', up_block_types: 'honoured',
  block_out_channels: 'honoured', layers_per_block: 'honoured', act_fn: 'honoured', latent_channels: 'honoured',
  norm_num_groups: 'honoured', scaling_factor: 'honoured',
  sample_size: { inert: 'diffusers reads it only for tiled decoding, which is off unless enabled in code' },
  force_upcast: { inert: 'the engine runs the VAE in float32, which is what force_upcast asks for' },
  shift_factor: { only: null, why: 'SD3 / Flux VAEs shift latents' },
  latents_mean: { only: null, why: 'SD 1.x/2.x VAEs do not normalise latents per channel' },
  latents_std: { only: null, why: 'SD 1.x/2.x VAEs do not normalise latents per channel' },
  use_quant_conv: { only: true, why: 'SD 1.x/2.x VAEs have quant_conv' },
  use_post_quant_conv: { only: true, why: 'SD 1.x/2.x VAEs have post_quant_conv' },
  mid_block_add_attention: { only: true, why: 'SD 1.x/2.x VAEs have a mid-block attention' },
};

export function unsupportedVae(c: VaeConfig): string | null {
  if (c._class_name !== 'AutoencoderKL') return `this VAE is a ${c._class_name}, not an AutoencoderKL`;
  if (c.shift_factor !== null || c.latent_channels !== 4 || !c.use_quant_conv || !c.use_post_quant_conv) return `this is an SD3 / Flux style VAE (${c.latent_channels} latent channels${c.shift_factor !== null ? ', shift_factor' : ''}${c.use_quant_conv ? '' : ', no quant_conv'})`;
  if (c.latents_mean !== null || c.latents_std !== null) return 'this VAE normalises latents with latents_mean / latents_std (not SD 1.x/2.x)';
  const badDown = c.down_block_types.find((t) => t !== 'DownEncoderBlock2D');
  const badUp = c.up_block_types.find((t) => t !== 'UpDecoderBlock2D');
  if (badDown !== undefined || badUp !== undefined) return `this VAE has a '${badDown ?? badUp ?? ''}' block (supported: DownEncoderBlock2D, UpDecoderBlock2D)`;
  if (c.act_fn !== 'silu' || !c.mid_block_add_attention) return `this VAE uses act_fn '${c.act_fn}'${c.mid_block_add_attention ? '' : ' without mid-block attention'}`;
  return null;
}

/** Parses vae/config.json and refuses autoencoders SD 1.x/2.x do not use. */
export function parseVaeConfig(json: unknown, origin: ConfigOrigin): VaeConfig {
  const config = parseWith(vaeConfigSchema, json, origin);
  const why = unsupportedVae(config);
  if (why !== null) throw new EngineError('unsupported-model', `${origin.file}: ${why}; supported: the AutoencoderKL of SD 1.x and SD 2.x.`, { file: origin.file, component: origin.component, reason: why });
  checkKeys(json as Record<string, unknown>, VAE_KEY_RULES, 'AutoencoderKL', origin);
  const n = config.block_out_channels.length;
  if (config.down_block_types.length !== n || config.up_block_types.length !== n) {
    throw new EngineError('corrupt-file', `${origin.file}: ${n} block_out_channels but ${config.down_block_types.length} down / ${config.up_block_types.length} up block types; the config is inconsistent, re-download the model.`, { file: origin.file, component: origin.component });
  }
  return config;
}
