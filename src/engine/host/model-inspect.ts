// The Model view's architecture summary of a Stable Diffusion model where the engine runs: the
// loader opens it (a diffusers folder or a single-file checkpoint, with the prediction type,
// tokenizer folder and config overrides a single file may need; headers and JSON only, so a bad
// model fails here with the loader's actionable error, e.g. details.needs 'predictionType'); the
// structure module counts parameters, UNet MACs at the training resolution (256 px) and gates per
// block.
import { dirname, isAbsolute } from 'node:path';
import type { ModelOpenOptions, ModelSummary, SamplerKindName } from '../../shared/studio-model';
import { EngineError } from '../core/errors';
import { openModel, type SdModel } from '../models/sd/loader';
import { type ImageGeometry, imageGeometry, noTokenizerMessage } from '../models/sd/pipeline';
import { samplerForClassName } from '../models/sd/schedulers';
import { summarizeModel } from '../models/sd/structure';
import { resolveUNet } from '../models/sd/unet';

/** APTP prunes at 256 px (a 32x32 latent for SD), so its MACs are counted there. */
export const TRAINING_RESOLUTION = 256;

export function requireAbsolute(path: string): void {
  if (!isAbsolute(path)) throw new EngineError('invalid-argument', `'${path}' is not an absolute path; pick the model folder in the browser.`, { path });
}

function defaultSampler(className: unknown): SamplerKindName | null {
  try {
    return samplerForClassName(className);
  } catch {
    return null;
  }
}

function componentClass(model: SdModel, name: string, fallback: string): string {
  const entry = model.modelIndex?.[name] as readonly (string | null)[] | undefined;
  return (Array.isArray(entry) ? entry[1] : undefined) ?? fallback;
}

/** The training latent: TRAINING_RESOLUTION in cells, rounded to what the UNet halves evenly. */
function trainingLatent(model: SdModel, geometry: ImageGeometry): { width: number; height: number } {
  const cells = 2 ** (resolveUNet(model.unet).levels - 1);
  const side = Math.max(cells, Math.round(TRAINING_RESOLUTION / geometry.vaeScale / cells) * cells);
  return { width: side, height: side };
}

/** Opens `dir` with `open` and the options a single file may need, after the studio's checks (absolute paths only). */
export function openWithChecks<T>(dir: string, options: ModelOpenOptions, open: (dir: string, options: ModelOpenOptions) => Promise<T>): Promise<T> {
  requireAbsolute(dir);
  if (options.tokenizer !== undefined) requireAbsolute(options.tokenizer);
  return open(dir, options);
}

function tokenizerDir(model: SdModel): string | null {
  const file = model.tokenizer?.vocab ?? model.tokenizer?.tokenizerJson;
  return file ? dirname(file) : null;
}

function generationInfo(model: SdModel, geometry: ImageGeometry): ModelSummary['generation'] {
  const sampler = defaultSampler(model.scheduler._class_name);
  const reason = model.tokenizer === null ? noTokenizerMessage(model.path) : null;
  return {
    available: reason === null,
    reason,
    tokenizer: tokenizerDir(model),
    scheduler: String(model.scheduler._class_name),
    defaultSampler: sampler,
    predictionType: String(model.scheduler.prediction_type),
    width: geometry.width,
    height: geometry.height,
    sizeMultiple: geometry.sizeMultiple,
  };
}

/** Opens `dir` and summarises it; throws the loader's EngineError when it is not a supported model. */
export async function inspectModel(dir: string, options: ModelOpenOptions = {}): Promise<ModelSummary> {
  const model = await openWithChecks(dir, options, openModel);
  const geometry = imageGeometry(model);
  const latent = trainingLatent(model, geometry);
  const s = summarizeModel(model, latent);
  const { unet, textEncoder: te, vae } = model;
  const cross = Array.isArray(unet.cross_attention_dim) ? unet.cross_attention_dim.join('/') : String(unet.cross_attention_dim);
  const components = [
    { name: 'unet', className: componentClass(model, 'unet', 'UNet2DConditionModel'), params: s.unet.params, detail: `channels ${unet.block_out_channels.join('/')}, cross-attention ${cross}` },
    { name: 'text_encoder', className: componentClass(model, 'text_encoder', 'CLIPTextModel'), params: s.textEncoderParams, detail: `${te.num_hidden_layers} layers, width ${te.hidden_size}, ${te.hidden_act}` },
    { name: 'vae', className: componentClass(model, 'vae', 'AutoencoderKL'), params: s.vaeParams, detail: `${vae.latent_channels} latent channels, scaling ${vae.scaling_factor}` },
  ];
  return {
    path: model.path,
    source: model.source,
    family: model.family,
    variant: model.variant,
    components,
    totalParams: s.totalParams,
    unet: {
      params: s.unet.params,
      macs: { total: s.unet.macs.total, prunable: s.unet.macs.prunable },
      resolution: { width: latent.width * geometry.vaeScale, height: latent.height * geometry.vaeScale },
      latent,
      widthGroups: s.unet.widthGroups,
      widthEntries: s.unet.widthEntries,
      depthGates: s.unet.depthGates,
      vectorLength: s.unet.vectorLength,
      blocks: s.unet.blocks.map((b) => ({ ...b })),
    },
    generation: generationInfo(model, geometry),
  };
}
