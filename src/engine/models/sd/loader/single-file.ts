// Opens an original-layout SD 1.x/2.x single-file .safetensors checkpoint as an SdModel: configs
// inferred from the tensors (overridable), each diffusers parameter served from its LDM tensor by
// offset (renamed, reshaped 1x1 convs, or a third of OpenCLIP's packed in_proj rows; never copied).
// SD 2.x does not record whether it predicts epsilon or v: unless the file's metadata says so, the
// caller must choose. Keys inside the model prefixes that map to nothing are refused by name.
import { EngineError } from '../../../core/errors';
import { type SafetensorsFile, openSafetensors } from '../../../weights';
import { type PredictionType, parseClipTextConfig, parseSchedulerConfig, parseUNetConfig, parseVaeConfig, unetBlocks } from '../config';
import { type ExpectedParam, clipTextParams, unetParams, vaeParams } from './expected-params';
import { defaultSchedulerConfig, inferClipConfig, inferUNetConfig, inferVaeConfig, checkSingleFileKind } from './ldm-config';
import { CLIP_PREFIX, type LdmSource, OPENCLIP_PREFIX, UNET_PREFIX, VAE_PREFIX, ldmClipKey, ldmOpenClipKey, ldmUnetKey, ldmVaeKey } from './ldm-keys';
import { type SdModel, familyOf } from './model';
import { tokenizerPaths } from '../tokenizer/files';
import { type WeightRef, WeightSet } from './weight-set';

type Json = Record<string, unknown>;

export interface SingleFileOptions {
  /** Required for SD 2.x files whose metadata does not say (2.x-base: epsilon, 768-v: v_prediction). */
  readonly predictionType?: Exclude<PredictionType, 'sample'>;
  /** A tokenizer folder (vocab.json + merges.txt): single files carry none. */
  readonly tokenizer?: string;
  /** diffusers config keys that override what is inferred (e.g. attention_head_dim, norm_num_groups). */
  readonly configs?: { readonly unet?: Json; readonly textEncoder?: Json; readonly vae?: Json; readonly scheduler?: Json };
}

/** Checkpoint keys that are known not to be parameters of the three components. */
const TOLERATED = [/^first_stage_model\.loss\./, /\.position_ids$/, /^cond_stage_model\.model\.(text_projection|logit_scale|attn_mask)$/];

function predictionOf(file: SafetensorsFile, family: 'sd1' | 'sd2', asked: SingleFileOptions['predictionType']): PredictionType {
  if (asked) return asked;
  const meta = file.metadata['modelspec.prediction_type'] ?? '';
  if (meta === 'epsilon' || meta === 'v' || meta === 'v_prediction') return meta === 'epsilon' ? 'epsilon' : 'v_prediction';
  const arch = file.metadata['modelspec.architecture'] ?? '';
  if (/-v$/.test(arch)) return 'v_prediction';
  if (family === 'sd1' || /-base$/.test(arch)) return 'epsilon';
  throw new EngineError('invalid-argument', `${file.path} is an SD 2.x checkpoint that does not say whether it predicts noise (SD 2.x-base, 512 px: epsilon) or velocity (SD 2.x 768-v: v_prediction); choose the prediction type (--prediction-type epsilon|v_prediction).`, { file: file.path, needs: 'predictionType', choices: ['epsilon', 'v_prediction'] });
}

/** A ref for diffusers `name` from LDM `src`: 1x1-conv weights as Linear, packed rows sliced. */
function refFor(file: SafetensorsFile, p: ExpectedParam, src: LdmSource): WeightRef {
  const e = file.tensors.get(src.key);
  if (!e) throw new EngineError('corrupt-file', `${file.path}: tensor '${src.key}' (diffusers '${p.name}') is missing; the checkpoint is incomplete or its layout is not SD 1.x/2.x.`, { file: file.path, tensor: src.key });
  if (src.rows) {
    const rows = e.shape[0] ?? 0;
    if (rows % src.rows.of !== 0) throw new EngineError('shape-mismatch', `${file.path}, tensor '${src.key}': ${rows} rows cannot be split into ${src.rows.of} (q, k, v).`, { file: file.path, tensor: src.key });
    const part = e.byteLength / src.rows.of;
    return { ...e, name: p.name, path: file.path, stored: src.key, shape: [rows / src.rows.of, ...e.shape.slice(1)], offset: e.offset + src.rows.part * part, byteLength: part };
  }
  const squeezable = e.shape.length === 4 && p.shape.length === 2 && e.shape[2] === 1 && e.shape[3] === 1;
  return { ...e, name: p.name, path: file.path, stored: src.key, shape: squeezable ? e.shape.slice(0, 2) : e.shape };
}

function weightSet(component: string, file: SafetensorsFile, expected: readonly ExpectedParam[], map: (key: string) => LdmSource, used: Set<string>): WeightSet {
  const refs = expected.map((p) => {
    const src = map(p.name);
    used.add(src.key);
    return refFor(file, p, src);
  });
  const set = new WeightSet(component, refs);
  set.check(expected);
  return set;
}

function checkUnused(file: SafetensorsFile, used: ReadonlySet<string>, lastOpenClipBlock: number | null): void {
  const prefixes = [UNET_PREFIX, VAE_PREFIX, CLIP_PREFIX, OPENCLIP_PREFIX];
  const dropped = lastOpenClipBlock === null ? null : `${OPENCLIP_PREFIX}transformer.resblocks.${lastOpenClipBlock}.`;
  const extra = [...file.tensors.keys()].filter((k) => prefixes.some((p) => k.startsWith(p)) && !used.has(k) && !TOLERATED.some((re) => re.test(k)) && !(dropped !== null && k.startsWith(dropped)));
  if (extra.length > 0) {
    throw new EngineError('corrupt-file', `${file.path}: tensor '${extra[0] ?? ''}'${extra.length > 1 ? ` and ${extra.length - 1} more` : ''} belong to no SD 1.x/2.x parameter; the checkpoint is another architecture or its inferred config is wrong (override it).`, { file: file.path, tensor: extra[0], unexpected: extra.slice(0, 50) });
  }
}

/** Opens and validates a single-file SD 1.x/2.x checkpoint. */
export async function openSingleFile(path: string, options: SingleFileOptions = {}): Promise<SdModel> {
  if (/\.(ckpt|pt|pth|bin)$/i.test(path)) throw new EngineError('unsupported-model', `${path} is a pickle checkpoint; it can run code when loaded, so the studio reads .safetensors only. Convert it to .safetensors first.`, { file: path });
  const file = await openSafetensors(path);
  const family = checkSingleFileKind(file.tensors, path);
  const prediction = predictionOf(file, family, options.predictionType);
  const v = prediction === 'v_prediction';
  const o = (component: string) => ({ file: `${path} (${component}, inferred)`, component });
  const unet = parseUNetConfig({ ...inferUNetConfig(file.tensors, path, family, v), ...options.configs?.unet }, o('unet'));
  const textEncoder = parseClipTextConfig({ ...inferClipConfig(file.tensors, path, family), ...options.configs?.textEncoder }, o('text_encoder'));
  const vae = parseVaeConfig({ ...inferVaeConfig(file.tensors, path, family, v), ...options.configs?.vae }, o('vae'));
  const scheduler = parseSchedulerConfig({ ...defaultSchedulerConfig(family, prediction), ...options.configs?.scheduler }, o('scheduler'));
  const layers = typeof unet.layers_per_block === 'number' ? unet.layers_per_block : (unet.layers_per_block[0] ?? 1);
  const attnUp = unetBlocks(unet).up.map((b) => b.crossAttention);
  const used = new Set<string>();
  const weights = {
    unet: weightSet('unet', file, unetParams(unet), (k) => ({ key: ldmUnetKey(k, layers, attnUp) }), used),
    textEncoder: weightSet('text_encoder', file, clipTextParams(textEncoder), family === 'sd1' ? ldmClipKey : ldmOpenClipKey, used),
    vae: weightSet('vae', file, vaeParams(vae), (k) => ({ key: ldmVaeKey(k, vae.block_out_channels.length) }), used),
  };
  checkUnused(file, used, family === 'sd2' ? textEncoder.num_hidden_layers : null);
  const tokenizer = options.tokenizer === undefined ? null : tokenizerPaths(options.tokenizer);
  return { source: 'single-file', path, family: familyOf(unet, textEncoder) === 'custom' ? 'custom' : family, variant: null, modelIndex: null, unet, textEncoder, vae, scheduler, tokenizer, weights };
}
