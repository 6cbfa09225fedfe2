// Where each diffusers parameter lives in an original (LDM / CompVis / Stability) single-file
// checkpoint: UNet under model.diffusion_model.* (input/middle/output_blocks), VAE under
// first_stage_model.* (down/mid/up, 1x1-conv attention weights that diffusers keeps as Linear), the
// SD 1.x CLIP under cond_stage_model.transformer.*, and the SD 2.x OpenCLIP under
// cond_stage_model.model.* with q/k/v packed in in_proj rows. Written per diffusers key, so the
// mapping covers exactly the parameters the config implies.
import { EngineError } from '../../../core/errors';

/** A diffusers key's source: the checkpoint key, and for packed q/k/v which third of its rows. */
export interface LdmSource {
  readonly key: string;
  readonly rows?: { readonly part: number; readonly of: number };
}

export const UNET_PREFIX = 'model.diffusion_model.';
export const VAE_PREFIX = 'first_stage_model.';
export const CLIP_PREFIX = 'cond_stage_model.transformer.';
export const OPENCLIP_PREFIX = 'cond_stage_model.model.';

const RESNET: Readonly<Record<string, string>> = { norm1: 'in_layers.0', conv1: 'in_layers.2', time_emb_proj: 'emb_layers.1', norm2: 'out_layers.0', conv2: 'out_layers.3', conv_shortcut: 'skip_connection' };

const UNET_FIXED: Readonly<Record<string, string>> = {
  conv_in: 'input_blocks.0.0',
  'time_embedding.linear_1': 'time_embed.0',
  'time_embedding.linear_2': 'time_embed.2',
  conv_norm_out: 'out.0',
  conv_out: 'out.2',
};

function fail(component: string, key: string): never {
  throw new EngineError('unsupported-model', `no original-layout name for ${component} parameter '${key}'; this single-file layout is not SD 1.x/2.x.`, { component, tensor: key });
}

/** Maps `resnets.J.<part>.<leaf>` inside an LDM ResBlock at `base`. */
function resnetKey(base: string, rest: string, component: string, full: string): string {
  const m = /^(\w+)\.(weight|bias)$/.exec(rest);
  const part = m?.[1] !== undefined ? RESNET[m[1]] : undefined;
  if (!m || part === undefined) return fail(component, full);
  return `${base}.${part}.${m[2] ?? ''}`;
}

/**
 * The LDM UNet key of a diffusers UNet key. `layers` is layers_per_block; `attnUp[i]` says whether up
 * block i has attentions (its upsampler then sits at index 2 of the output block, else 1).
 */
export function ldmUnetKey(key: string, layers: number, attnUp: readonly boolean[]): string {
  const fixed = /^(.*)\.(weight|bias)$/.exec(key);
  const head = fixed?.[1] !== undefined ? UNET_FIXED[fixed[1]] : undefined;
  if (head !== undefined) return `${UNET_PREFIX}${head}.${fixed?.[2] ?? ''}`;
  let m = /^down_blocks\.(\d+)\.(resnets|attentions)\.(\d+)\.(.+)$/.exec(key);
  if (m) {
    const k = 1 + Number(m[1]) * (layers + 1) + Number(m[3]);
    return m[2] === 'resnets' ? UNET_PREFIX + resnetKey(`input_blocks.${k}.0`, m[4] ?? '', 'unet', key) : `${UNET_PREFIX}input_blocks.${k}.1.${m[4] ?? ''}`;
  }
  m = /^down_blocks\.(\d+)\.downsamplers\.0\.conv\.(weight|bias)$/.exec(key);
  if (m) return `${UNET_PREFIX}input_blocks.${1 + Number(m[1]) * (layers + 1) + layers}.0.op.${m[2] ?? ''}`;
  m = /^mid_block\.(resnets|attentions)\.(\d+)\.(.+)$/.exec(key);
  if (m) {
    const k = m[1] === 'attentions' ? 1 : Number(m[2]) * 2;
    return m[1] === 'resnets' ? UNET_PREFIX + resnetKey(`middle_block.${k}`, m[3] ?? '', 'unet', key) : `${UNET_PREFIX}middle_block.1.${m[3] ?? ''}`;
  }
  m = /^up_blocks\.(\d+)\.(resnets|attentions)\.(\d+)\.(.+)$/.exec(key);
  if (m) {
    const k = Number(m[1]) * (layers + 1) + Number(m[3]);
    return m[2] === 'resnets' ? UNET_PREFIX + resnetKey(`output_blocks.${k}.0`, m[4] ?? '', 'unet', key) : `${UNET_PREFIX}output_blocks.${k}.1.${m[4] ?? ''}`;
  }
  m = /^up_blocks\.(\d+)\.upsamplers\.0\.conv\.(weight|bias)$/.exec(key);
  if (m) {
    const i = Number(m[1]);
    return `${UNET_PREFIX}output_blocks.${i * (layers + 1) + layers}.${attnUp[i] ? 2 : 1}.conv.${m[2] ?? ''}`;
  }
  return fail('unet', key);
}

const VAE_ATTN: Readonly<Record<string, string>> = { group_norm: 'norm', to_q: 'q', to_k: 'k', to_v: 'v', 'to_out.0': 'proj_out' };
const VAE_FIXED = /^(encoder|decoder)\.(conv_in|conv_out|conv_norm_out)\.(weight|bias)$|^(quant_conv|post_quant_conv)\.(weight|bias)$/;

/** Maps a diffusers VAE mid-block key (`<side>.mid_block.…`) to its LDM `<side>.mid.…` key. */
function vaeMidKey(side: string, rest: string, key: string): string {
  let m = /^resnets\.(\d)\.(\w+)\.(weight|bias)$/.exec(rest);
  if (m) return `${VAE_PREFIX}${side}.mid.block_${Number(m[1]) + 1}.${m[2] === 'conv_shortcut' ? 'nin_shortcut' : m[2] ?? ''}.${m[3] ?? ''}`;
  m = /^attentions\.0\.(group_norm|to_q|to_k|to_v|to_out\.0)\.(weight|bias)$/.exec(rest);
  if (m) return `${VAE_PREFIX}${side}.mid.attn_1.${VAE_ATTN[m[1] ?? ''] ?? ''}.${m[2] ?? ''}`;
  return fail('vae', key);
}

/** The LDM VAE key of a diffusers AutoencoderKL key; `blocks` is len(block_out_channels). */
export function ldmVaeKey(key: string, blocks: number): string {
  const f = VAE_FIXED.exec(key);
  if (f) return f[1] !== undefined ? `${VAE_PREFIX}${f[1]}.${f[2] === 'conv_norm_out' ? 'norm_out' : f[2] ?? ''}.${f[3] ?? ''}` : `${VAE_PREFIX}${key}`;
  let m = /^(encoder|decoder)\.mid_block\.(.+)$/.exec(key);
  if (m) return vaeMidKey(m[1] ?? '', m[2] ?? '', key);
  m = /^encoder\.down_blocks\.(\d+)\.(?:resnets\.(\d+)\.(\w+)|downsamplers\.0\.(conv))\.(weight|bias)$/.exec(key);
  if (m) {
    if (m[4] !== undefined) return `${VAE_PREFIX}encoder.down.${m[1] ?? ''}.downsample.conv.${m[5] ?? ''}`;
    return `${VAE_PREFIX}encoder.down.${m[1] ?? ''}.block.${m[2] ?? ''}.${m[3] === 'conv_shortcut' ? 'nin_shortcut' : m[3] ?? ''}.${m[5] ?? ''}`;
  }
  m = /^decoder\.up_blocks\.(\d+)\.(?:resnets\.(\d+)\.(\w+)|upsamplers\.0\.(conv))\.(weight|bias)$/.exec(key);
  if (m) {
    const level = blocks - 1 - Number(m[1]);
    if (m[4] !== undefined) return `${VAE_PREFIX}decoder.up.${level}.upsample.conv.${m[5] ?? ''}`;
    return `${VAE_PREFIX}decoder.up.${level}.block.${m[2] ?? ''}.${m[3] === 'conv_shortcut' ? 'nin_shortcut' : m[3] ?? ''}.${m[5] ?? ''}`;
  }
  return fail('vae', key);
}

/** SD 1.x: the transformers CLIP state dict under cond_stage_model.transformer. */
export function ldmClipKey(key: string): LdmSource {
  return { key: CLIP_PREFIX + key };
}

const OPENCLIP_LAYER: Readonly<Record<string, string>> = { 'self_attn.out_proj': 'attn.out_proj', layer_norm1: 'ln_1', layer_norm2: 'ln_2', 'mlp.fc1': 'mlp.c_fc', 'mlp.fc2': 'mlp.c_proj' };
const QKV = ['q_proj', 'k_proj', 'v_proj'];

/** SD 2.x: OpenCLIP names; q/k/v come from thirds of attn.in_proj_weight / in_proj_bias. */
export function ldmOpenClipKey(key: string): LdmSource {
  const fixed: Readonly<Record<string, string>> = {
    'text_model.embeddings.token_embedding.weight': 'token_embedding.weight',
    'text_model.embeddings.position_embedding.weight': 'positional_embedding',
    'text_model.final_layer_norm.weight': 'ln_final.weight',
    'text_model.final_layer_norm.bias': 'ln_final.bias',
  };
  const f = fixed[key];
  if (f !== undefined) return { key: OPENCLIP_PREFIX + f };
  const m = /^text_model\.encoder\.layers\.(\d+)\.(.+)\.(weight|bias)$/.exec(key);
  if (!m) return fail('text_encoder', key);
  const base = `${OPENCLIP_PREFIX}transformer.resblocks.${m[1] ?? ''}`;
  const part = QKV.findIndex((p) => m[2] === `self_attn.${p}`);
  if (part >= 0) return { key: `${base}.attn.in_proj_${m[3] ?? ''}`, rows: { part, of: 3 } };
  const mapped = OPENCLIP_LAYER[m[2] ?? ''];
  if (mapped === undefined) return fail('text_encoder', key);
  return { key: `${base}.${mapped}.${m[3] ?? ''}` };
}
