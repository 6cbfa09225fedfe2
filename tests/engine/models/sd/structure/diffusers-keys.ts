// Test fixture: a second, hand-written derivation of the state-dict keys and torch shapes diffusers /
// transformers give an SD 1.x/2.x UNet (one transformer block per Transformer2DModel), CLIP text
// encoder and AutoencoderKL built from a config. The loader's lists come from building the graphs
// (src/engine/models/sd/loader/expected-params.ts); params-agree.test.ts checks them against this
// independent reading of the diffusers code, and the oracle tier against diffusers itself.
import type { ClipTextConfig, UNetConfig, VaeConfig } from '../../../../../src/engine/models/sd/config';
import { unetBlocks } from '../../../../../src/engine/models/sd/config';

export interface ExpectedParam {
  readonly name: string;
  readonly shape: readonly number[];
}

type Out = ExpectedParam[];

function linear(out: Out, key: string, outF: number, inF: number, bias = true): void {
  out.push({ name: `${key}.weight`, shape: [outF, inF] });
  if (bias) out.push({ name: `${key}.bias`, shape: [outF] });
}

function conv(out: Out, key: string, outC: number, inC: number, k: number): void {
  out.push({ name: `${key}.weight`, shape: [outC, inC, k, k] }, { name: `${key}.bias`, shape: [outC] });
}

function norm(out: Out, key: string, c: number): void {
  out.push({ name: `${key}.weight`, shape: [c] }, { name: `${key}.bias`, shape: [c] });
}

/** ResnetBlock2D: norm1, conv1, (time_emb_proj), norm2, conv2, 1x1 conv_shortcut when channels change. */
function resnet(out: Out, key: string, inC: number, outC: number, tembC: number | null): void {
  norm(out, `${key}.norm1`, inC);
  conv(out, `${key}.conv1`, outC, inC, 3);
  if (tembC !== null) linear(out, `${key}.time_emb_proj`, outC, tembC);
  norm(out, `${key}.norm2`, outC);
  conv(out, `${key}.conv2`, outC, outC, 3);
  if (inC !== outC) conv(out, `${key}.conv_shortcut`, outC, inC, 1);
}

/** Transformer2DModel with one BasicTransformerBlock (self-attn, cross-attn, GEGLU feed-forward). */
function transformer(out: Out, key: string, c: number, crossDim: number, linearProj: boolean): void {
  const proj = (k: string): void => (linearProj ? linear(out, k, c, c) : conv(out, k, c, c, 1));
  norm(out, `${key}.norm`, c);
  proj(`${key}.proj_in`);
  const block = `${key}.transformer_blocks.0`;
  norm(out, `${block}.norm1`, c);
  for (const [attn, kvDim] of [['attn1', c], ['attn2', crossDim]] as const) {
    linear(out, `${block}.${attn}.to_q`, c, c, false);
    linear(out, `${block}.${attn}.to_k`, c, kvDim, false);
    linear(out, `${block}.${attn}.to_v`, c, kvDim, false);
    linear(out, `${block}.${attn}.to_out.0`, c, c);
    if (attn === 'attn1') norm(out, `${block}.norm2`, c);
  }
  norm(out, `${block}.norm3`, c);
  linear(out, `${block}.ff.net.0.proj`, 8 * c, c);
  linear(out, `${block}.ff.net.2`, c, 4 * c);
  proj(`${key}.proj_out`);
}

/** UNet2DConditionModel parameters in diffusers' state-dict order. */
export function unetParams(config: UNetConfig): ExpectedParam[] {
  const out: Out = [];
  const layout = unetBlocks(config);
  const ch = config.block_out_channels;
  const c0 = ch[0] ?? 0;
  const temb = 4 * c0;
  conv(out, 'conv_in', c0, config.in_channels, 3);
  linear(out, 'time_embedding.linear_1', temb, c0);
  linear(out, 'time_embedding.linear_2', temb, temb);
  let prev = c0;
  layout.down.forEach((b, i) => {
    for (let j = 0; j < b.layers; j++) {
      resnet(out, `down_blocks.${i}.resnets.${j}`, j === 0 ? prev : b.channels, b.channels, temb);
      if (b.crossAttention) transformer(out, `down_blocks.${i}.attentions.${j}`, b.channels, b.crossAttentionDim, config.use_linear_projection);
    }
    if (i < layout.down.length - 1) conv(out, `down_blocks.${i}.downsamplers.0.conv`, b.channels, b.channels, 3);
    prev = b.channels;
  });
  const m = layout.mid;
  resnet(out, 'mid_block.resnets.0', m.channels, m.channels, temb);
  transformer(out, 'mid_block.attentions.0', m.channels, m.crossAttentionDim, config.use_linear_projection);
  resnet(out, 'mid_block.resnets.1', m.channels, m.channels, temb);
  const n = layout.up.length;
  layout.up.forEach((b, i) => {
    const blockIn = ch[Math.max(0, n - 2 - i)] ?? 0;
    const prevOut = prev;
    for (let j = 0; j < b.layers; j++) {
      const skip = j === b.layers - 1 ? blockIn : b.channels;
      resnet(out, `up_blocks.${i}.resnets.${j}`, (j === 0 ? prevOut : b.channels) + skip, b.channels, temb);
      if (b.crossAttention) transformer(out, `up_blocks.${i}.attentions.${j}`, b.channels, b.crossAttentionDim, config.use_linear_projection);
    }
    if (i < n - 1) conv(out, `up_blocks.${i}.upsamplers.0.conv`, b.channels, b.channels, 3);
    prev = b.channels;
  });
  norm(out, 'conv_norm_out', c0);
  conv(out, 'conv_out', config.out_channels, c0, 3);
  return out;
}

/** CLIPTextModel parameters (transformers' state-dict keys, `text_model.` prefix). */
export function clipTextParams(config: ClipTextConfig): ExpectedParam[] {
  const out: Out = [];
  const d = config.hidden_size;
  out.push({ name: 'text_model.embeddings.token_embedding.weight', shape: [config.vocab_size, d] });
  out.push({ name: 'text_model.embeddings.position_embedding.weight', shape: [config.max_position_embeddings, d] });
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const key = `text_model.encoder.layers.${l}`;
    for (const p of ['k_proj', 'v_proj', 'q_proj', 'out_proj']) linear(out, `${key}.self_attn.${p}`, d, d);
    norm(out, `${key}.layer_norm1`, d);
    linear(out, `${key}.mlp.fc1`, config.intermediate_size, d);
    linear(out, `${key}.mlp.fc2`, d, config.intermediate_size);
    norm(out, `${key}.layer_norm2`, d);
  }
  norm(out, 'text_model.final_layer_norm', d);
  return out;
}

/** The VAE's single-head mid-block attention (biased q/k/v/out, GroupNorm). */
function vaeAttention(out: Out, key: string, c: number): void {
  norm(out, `${key}.group_norm`, c);
  for (const p of ['to_q', 'to_k', 'to_v', 'to_out.0']) linear(out, `${key}.${p}`, c, c);
}

function vaeMid(out: Out, key: string, c: number): void {
  resnet(out, `${key}.resnets.0`, c, c, null);
  vaeAttention(out, `${key}.attentions.0`, c);
  resnet(out, `${key}.resnets.1`, c, c, null);
}

/** AutoencoderKL parameters (encoder, quant convs, decoder) in diffusers' state-dict keys. */
export function vaeParams(config: VaeConfig): ExpectedParam[] {
  const out: Out = [];
  const ch = config.block_out_channels;
  const n = ch.length;
  const L = config.latent_channels;
  const first = ch[0] ?? 0;
  const last = ch[n - 1] ?? 0;
  conv(out, 'encoder.conv_in', first, config.in_channels, 3);
  let prev = first;
  ch.forEach((c, i) => {
    for (let j = 0; j < config.layers_per_block; j++) resnet(out, `encoder.down_blocks.${i}.resnets.${j}`, j === 0 ? prev : c, c, null);
    if (i < n - 1) conv(out, `encoder.down_blocks.${i}.downsamplers.0.conv`, c, c, 3);
    prev = c;
  });
  vaeMid(out, 'encoder.mid_block', last);
  norm(out, 'encoder.conv_norm_out', last);
  conv(out, 'encoder.conv_out', 2 * L, last, 3);
  conv(out, 'quant_conv', 2 * L, 2 * L, 1);
  conv(out, 'post_quant_conv', L, L, 1);
  conv(out, 'decoder.conv_in', last, L, 3);
  vaeMid(out, 'decoder.mid_block', last);
  prev = last;
  [...ch].reverse().forEach((c, i) => {
    for (let j = 0; j <= config.layers_per_block; j++) resnet(out, `decoder.up_blocks.${i}.resnets.${j}`, j === 0 ? prev : c, c, null);
    if (i < n - 1) conv(out, `decoder.up_blocks.${i}.upsamplers.0.conv`, c, c, 3);
    prev = c;
  });
  norm(out, 'decoder.conv_norm_out', first);
  conv(out, 'decoder.conv_out', config.out_channels, first, 3);
  return out;
}
