// One entry point for users' models: a folder opens as a diffusers model, a .safetensors file as a
// single-file checkpoint; anything else is refused with what to choose instead. Weights that hold
// NaN or infinity are refused here, before anything is generated with them.
import { statSync } from 'node:fs';
import { EngineError } from '../../../core/errors';
import { refuseNonFiniteWeights } from '../../../weights';
import { type FolderOptions, openDiffusersFolder } from './folder';
import type { SdModel } from './model';
import { type SingleFileOptions, openSingleFile } from './single-file';

export type OpenModelOptions = FolderOptions & SingleFileOptions;

/** Opens a diffusers folder or a single-file .safetensors checkpoint (headers and JSON only). */
export async function openModel(path: string, options: OpenModelOptions = {}): Promise<SdModel> {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (cause) {
    throw new EngineError('not-found', `${path} does not exist; choose a diffusers model folder or a .safetensors checkpoint.`, { path }, { cause });
  }
  if (isDir) return refuseNonFinite(await openDiffusersFolder(path, options));
  if (/\.safetensors$/i.test(path) || /\.(ckpt|pt|pth|bin)$/i.test(path)) return refuseNonFinite(await openSingleFile(path, options));
  throw new EngineError('invalid-argument', `${path} is neither a model folder nor a .safetensors checkpoint; choose the folder holding model_index.json, or a .safetensors file.`, { path });
}

async function refuseNonFinite(model: SdModel): Promise<SdModel> {
  for (const [component, set] of [['unet', model.weights.unet], ['text_encoder', model.weights.textEncoder], ['vae', model.weights.vae]] as const) {
    await refuseNonFiniteWeights(component, set.names.map((name) => {
      const r = set.ref(name);
      return { path: r.path, name, entry: r };
    }));
  }
  return model;
}
