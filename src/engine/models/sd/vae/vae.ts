// diffusers AutoencoderKL as two IR graphs, from its config. The encoder maps an image in [-1, 1]
// to the latent distribution (quant_conv moments: mean, log-variance clamped to [-30, 20]) and to
// scaled latents (mean + std * noise) * scaling_factor with caller-given noise, so sampling is
// reproducible. The decoder takes scaled latents, divides by scaling_factor, and returns the image.
// ResNets and the mid-block attention use eps 1e-6 as diffusers' Encoder/Decoder hard-code.
import { EngineError } from '../../../core/errors';
import type { Graph, Value } from '../../../ir';
import { GraphBuilder } from '../../../ir';
import type { VaeConfig } from '../config/vae';
import { attention, checkDivisible, conv2d, groupNorm, linear, Params, type ComputeDType, type ParamSpec, type WeightProvider } from '../unet/layers';
import { downsample, resnetBlock, upsample, type ResnetContext } from '../unet/resnet';

export const VAE_ENCODER_IO = { image: 'image', noise: 'noise', mean: 'latent_mean', logvar: 'latent_logvar', latents: 'latents' } as const;
export const VAE_DECODER_IO = { latents: 'latents', image: 'image' } as const;

const EPS = 1e-6;

export interface VaeBuildOptions {
  readonly batch: number;
  /** Image height and width in pixels (latents are 2^(blocks-1) times smaller). */
  readonly height: number;
  readonly width: number;
  readonly dtype?: ComputeDType;
  readonly weights: WeightProvider;
  readonly name?: string;
}

export interface BuiltVae {
  readonly graph: Graph;
  readonly params: readonly ParamSpec[];
}

/** Latent size of an image size: the VAE halves it once per block after the first. */
export function vaeLatentSize(config: VaeConfig, pixels: number): number {
  return pixels / 2 ** (config.block_out_channels.length - 1);
}

/** The single-head self-attention of the VAE mid block (GroupNorm, q/k/v/out with bias, residual). */
function midAttention(b: GraphBuilder, p: Params, key: string, x: Value, groups: number): Value {
  const [n = 0, c = 0, h = 0, w = 0] = x.type.shape;
  return b.scope(key, () => {
    const normed = groupNorm(b, p, `${key}.group_norm`, x, groups, EPS);
    const tokens = b.transpose(b.reshape(normed, [n, c, h * w]), [0, 2, 1]);
    const q = linear(b, p, `${key}.to_q`, tokens, c, c);
    const k = linear(b, p, `${key}.to_k`, tokens, c, c);
    const v = linear(b, p, `${key}.to_v`, tokens, c, c);
    const o = linear(b, p, `${key}.to_out.0`, attention(b, q, k, v, 1), c, c);
    return b.add(b.reshape(b.transpose(o, [0, 2, 1]), [n, c, h, w]), x);
  });
}

function midBlock(ctx: ResnetContext, key: string, x: Value, c: number): Value {
  const r = (j: number, v: Value): Value => resnetBlock(ctx, { path: `${key}.resnets.${j}`, inC: c, outC: c, outScale: 1 }, v);
  return r(1, midAttention(ctx.b, ctx.p, `${key}.attentions.0`, r(0, x), ctx.groups));
}

function encode(ctx: ResnetContext, c: VaeConfig, image: Value): Value {
  const { b, p } = ctx;
  const ch = c.block_out_channels;
  let h = conv2d(b, p, 'encoder.conv_in', image, c.in_channels, ch[0] ?? 0, 3);
  let inC = ch[0] ?? 0;
  ch.forEach((outC, i) => {
    for (let j = 0; j < c.layers_per_block; j++) {
      h = resnetBlock(ctx, { path: `encoder.down_blocks.${i}.resnets.${j}`, inC, outC, outScale: 1 }, h);
      inC = outC;
    }
    if (i < ch.length - 1) h = downsample(b, p, `encoder.down_blocks.${i}.downsamplers.0.conv`, h, outC, 0);
  });
  h = midBlock(ctx, 'encoder.mid_block', h, inC);
  h = b.silu(groupNorm(b, p, 'encoder.conv_norm_out', h, ctx.groups, EPS));
  h = conv2d(b, p, 'encoder.conv_out', h, inC, 2 * c.latent_channels, 3);
  return conv2d(b, p, 'quant_conv', h, 2 * c.latent_channels, 2 * c.latent_channels, 1);
}

function decode(ctx: ResnetContext, c: VaeConfig, z: Value): Value {
  const { b, p } = ctx;
  const rev = [...c.block_out_channels].reverse();
  let h = conv2d(b, p, 'post_quant_conv', z, c.latent_channels, c.latent_channels, 1);
  let inC = rev[0] ?? 0;
  h = conv2d(b, p, 'decoder.conv_in', h, c.latent_channels, inC, 3);
  h = midBlock(ctx, 'decoder.mid_block', h, inC);
  rev.forEach((outC, i) => {
    for (let j = 0; j < c.layers_per_block + 1; j++) {
      h = resnetBlock(ctx, { path: `decoder.up_blocks.${i}.resnets.${j}`, inC, outC, outScale: 1 }, h);
      inC = outC;
    }
    if (i < rev.length - 1) h = upsample(b, p, `decoder.up_blocks.${i}.upsamplers.0.conv`, h, outC);
  });
  h = b.silu(groupNorm(b, p, 'decoder.conv_norm_out', h, ctx.groups, EPS));
  return conv2d(b, p, 'decoder.conv_out', h, inC, c.out_channels, 3);
}

function setup(config: VaeConfig, options: VaeBuildOptions, fallback: string): { b: GraphBuilder; ctx: ResnetContext; dtype: ComputeDType; lh: number; lw: number } {
  const levels = config.block_out_channels.length - 1;
  checkDivisible('Image height', options.height, levels);
  checkDivisible('Image width', options.width, levels);
  const dtype = options.dtype ?? 'float32';
  const b = new GraphBuilder(options.name ?? fallback);
  const ctx: ResnetContext = { b, p: new Params(b, options.weights, dtype), groups: config.norm_num_groups, eps: EPS };
  return { b, ctx, dtype, lh: vaeLatentSize(config, options.height), lw: vaeLatentSize(config, options.width) };
}

/** The VAE encoder: image [N, C, H, W] + noise [N, L, h, w] -> latent_mean, latent_logvar, latents. */
export function buildVaeEncoder(config: VaeConfig, options: VaeBuildOptions): BuiltVae {
  const { b, ctx, dtype, lh, lw } = setup(config, options, 'vae_encoder');
  const n = options.batch;
  const image = b.input(VAE_ENCODER_IO.image, dtype, [n, config.in_channels, options.height, options.width]);
  const noise = b.input(VAE_ENCODER_IO.noise, dtype, [n, config.latent_channels, lh, lw]);
  const moments = encode(ctx, config, image);
  const [mean, rawLogvar] = b.split(moments, [config.latent_channels, config.latent_channels], 1);
  if (!mean || !rawLogvar) throw new EngineError('graph-invalid', 'VAE moments: Split must give mean and log-variance.', { node: 'moments' });
  const logvar = b.clip(rawLogvar, -30, 20);
  const std = b.exp(b.mul(logvar, 0.5));
  b.output(mean, VAE_ENCODER_IO.mean);
  b.output(logvar, VAE_ENCODER_IO.logvar);
  b.output(b.mul(b.add(mean, b.mul(std, noise)), config.scaling_factor), VAE_ENCODER_IO.latents);
  return { graph: b.build(), params: ctx.p.specs };
}

/** The VAE decoder: scaled latents [N, L, h, w] -> image [N, C, H, W] (roughly in [-1, 1]). */
export function buildVaeDecoder(config: VaeConfig, options: VaeBuildOptions): BuiltVae {
  const { b, ctx, dtype, lh, lw } = setup(config, options, 'vae_decoder');
  const latents = b.input(VAE_DECODER_IO.latents, dtype, [options.batch, config.latent_channels, lh, lw]);
  const image = decode(ctx, config, b.div(latents, config.scaling_factor));
  b.output(image, VAE_DECODER_IO.image);
  return { graph: b.build(), params: ctx.p.specs };
}
