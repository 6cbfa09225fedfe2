// Opens a diffusers Stable Diffusion folder: model_index.json, each component's config, tokenizer
// files and safetensors weights (plain, fp16 variant or sharded), every weight checked against the
// parameters its config implies. Reads only JSON and safetensors headers. Folders that are not a
// model (a component subfolder, a folder of single files, an empty folder) get a message saying
// what to point at instead.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../../../core/errors';
import { type ModelIndex, parseClipTextConfig, parseModelIndex, parseSchedulerConfig, parseUNetConfig, parseVaeConfig, readJsonFile } from '../config';
import { clipTextParams, unetParams, vaeParams } from './expected-params';
import { tokenizerPaths } from '../tokenizer/files';
import { type SdModel, familyOf } from './model';
import { type VariantChoice, findWeights, openWeightRefs } from './weight-files';
import { type WeightRef, WeightSet } from './weight-set';

export interface FolderOptions {
  /** Which weight files to read (default 'auto': plain files, else the fp16 variant). */
  readonly variant?: VariantChoice;
}

/** Explains why `dir` (which has no model_index.json) is not a diffusers model folder. */
function notAModel(dir: string): EngineError {
  const names = readdirSync(dir);
  const details = { dir, files: names.slice(0, 20) };
  const single = names.find((n) => n.endsWith('.safetensors'));
  if (existsSync(join(dir, 'config.json')) || existsSync(join(dir, 'scheduler_config.json'))) {
    return new EngineError('invalid-argument', `${dir} looks like one component of a model (it has a config but no model_index.json); choose the model folder above it, the one holding model_index.json.`, details);
  }
  if (single) return new EngineError('invalid-argument', `${dir} is not a diffusers folder (no model_index.json) but holds ${single}; choose that .safetensors file to open it as a single-file checkpoint.`, details);
  if (names.some((n) => n.endsWith('.ckpt'))) return new EngineError('unsupported-model', `${dir} holds a .ckpt (pickle) checkpoint; convert it to .safetensors first (pickle files can run code when loaded).`, details);
  return new EngineError('not-found', `${dir} is not a Stable Diffusion model: it has no model_index.json. Choose a diffusers folder (as saved by save_pretrained) or a single-file .safetensors checkpoint.`, details);
}

async function componentWeights(dir: string, component: 'unet' | 'text_encoder' | 'vae', variant: VariantChoice): Promise<{ refs: WeightRef[]; variant: string | null }> {
  const found = findWeights(join(dir, component), component, variant);
  return { refs: await openWeightRefs(found, component), variant: found.variant };
}

/** transformers >= 5 saves CLIPTextModel keys without the `text_model.` prefix; the graphs use it. */
function withTextModelPrefix(refs: readonly WeightRef[]): WeightRef[] {
  return refs.map((r) => (r.name.startsWith('text_model.') || r.name.startsWith('text_projection') ? r : { ...r, name: `text_model.${r.name}` }));
}

function component<T>(dir: string, name: string, file: string, parse: (json: unknown, origin: { file: string; component: string }) => T): T {
  const path = join(dir, name, file);
  return parse(readJsonFile(path, name), { file: path, component: name });
}

/** Opens and validates a diffusers SD 1.x/2.x folder. */
export async function openDiffusersFolder(dir: string, options: FolderOptions = {}): Promise<SdModel> {
  if (!existsSync(dir)) throw new EngineError('not-found', `${dir} does not exist; choose a model folder or .safetensors file.`, { dir });
  if (!statSync(dir).isDirectory()) throw new EngineError('invalid-argument', `${dir} is a file, not a folder; open it as a single-file checkpoint.`, { dir });
  const indexPath = join(dir, 'model_index.json');
  if (!existsSync(indexPath)) throw notAModel(dir);
  const modelIndex: ModelIndex = parseModelIndex(readJsonFile(indexPath, 'model_index'), { file: indexPath, component: 'model_index' });
  const unet = component(dir, 'unet', 'config.json', parseUNetConfig);
  const textEncoder = component(dir, 'text_encoder', 'config.json', parseClipTextConfig);
  const vae = component(dir, 'vae', 'config.json', parseVaeConfig);
  const scheduler = component(dir, 'scheduler', 'scheduler_config.json', parseSchedulerConfig);
  const tokenizer = tokenizerPaths(join(dir, 'tokenizer'));
  const variant = options.variant ?? 'auto';
  const u = await componentWeights(dir, 'unet', variant);
  const t = await componentWeights(dir, 'text_encoder', variant);
  const v = await componentWeights(dir, 'vae', variant);
  const weights = { unet: new WeightSet('unet', u.refs), textEncoder: new WeightSet('text_encoder', withTextModelPrefix(t.refs)), vae: new WeightSet('vae', v.refs) };
  weights.unet.check(unetParams(unet));
  weights.textEncoder.check(clipTextParams(textEncoder));
  weights.vae.check(vaeParams(vae));
  return { source: 'diffusers-folder', path: dir, family: familyOf(unet, textEncoder), variant: u.variant, modelIndex, unet, textEncoder, vae, scheduler, tokenizer, weights };
}
