// Test helper: writes the tiny model of tiny-folder.ts as an original-layout single-file checkpoint
// (SD 1.x CLIP or SD 2.x OpenCLIP text encoder with packed in_proj, 1x1-conv VAE attention), with
// the extra non-parameter tensors real checkpoints carry.
import { parseUNetConfig, unetBlocks } from '../../../../../src/engine/models/sd/config';
import { ldmClipKey, ldmOpenClipKey, ldmUnetKey, ldmVaeKey } from '../../../../../src/engine/models/sd/loader';
import { type TensorToWrite, writeSafetensors } from '../../../../../src/engine/weights';
import { TINY_UNET, TINY_VAE, tinyParams, valueAt } from './tiny-folder';

const values = (name: string, n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => valueAt(name, i));
const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

export interface TinyLdmOptions {
  readonly family: 'sd1' | 'sd2';
  readonly metadata?: Record<string, string>;
  readonly extra?: readonly TensorToWrite[];
  readonly drop?: string;
}

function textTensors(family: 'sd1' | 'sd2'): TensorToWrite[] {
  const params = tinyParams.text_encoder();
  if (family === 'sd1') return params.map((p) => ({ name: ldmClipKey(p.name).key, dtype: 'F32', shape: p.shape, data: values(p.name, numel(p.shape)) }));
  const out: TensorToWrite[] = [];
  const packed = new Map<string, { shape: number[]; parts: Float32Array[] }>();
  for (const p of params) {
    const src = ldmOpenClipKey(p.name);
    const data = values(p.name, numel(p.shape));
    if (!src.rows) {
      out.push({ name: src.key, dtype: 'F32', shape: p.shape, data });
      continue;
    }
    const entry = packed.get(src.key) ?? { shape: [3 * (p.shape[0] ?? 0), ...p.shape.slice(1)], parts: [] };
    entry.parts[src.rows.part] = data;
    packed.set(src.key, entry);
  }
  for (const [key, { shape, parts }] of packed) {
    const all = new Float32Array(numel(shape));
    parts.forEach((part, i) => all.set(part, i * part.length));
    out.push({ name: key, dtype: 'F32', shape, data: all });
  }
  const last = 'cond_stage_model.model.transformer.resblocks.2';
  out.push({ name: `${last}.ln_1.weight`, dtype: 'F32', shape: [24], data: new Float32Array(24) }, { name: 'cond_stage_model.model.text_projection', dtype: 'F32', shape: [24, 24], data: new Float32Array(576) });
  return out;
}

/** Writes the checkpoint at `path`. */
export async function writeTinyLdm(path: string, options: TinyLdmOptions): Promise<void> {
  const attnUp = unetBlocks(parseUNetConfig(TINY_UNET, { file: 't', component: 'unet' })).up.map((b) => b.crossAttention);
  const unet: TensorToWrite[] = tinyParams.unet().map((p) => ({ name: ldmUnetKey(p.name, 1, attnUp), dtype: 'F32', shape: p.shape, data: values(p.name, numel(p.shape)) }));
  const vae: TensorToWrite[] = tinyParams.vae().map((p) => {
    const attn = /mid_block\.attentions\.0\.(to_[qkv]|to_out\.0)\.weight$/.test(p.name);
    return { name: ldmVaeKey(p.name, TINY_VAE.block_out_channels.length), dtype: 'F32', shape: attn ? [...p.shape, 1, 1] : p.shape, data: values(p.name, numel(p.shape)) };
  });
  const extra: TensorToWrite[] = [{ name: 'alphas_cumprod', dtype: 'F32', shape: [4], data: new Float32Array(4) }, { name: 'model_ema.decay', dtype: 'F32', shape: [], data: new Float32Array(1) }];
  const all = [...unet, ...textTensors(options.family), ...vae, ...extra, ...(options.extra ?? [])].filter((t) => t.name !== options.drop);
  await writeSafetensors(path, all, options.metadata);
}
