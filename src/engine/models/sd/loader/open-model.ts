// One entry point for users' models: a folder opens as a diffusers model, a .safetensors file as a
// single-file checkpoint; anything else is refused with what to choose instead.
import { statSync } from 'node:fs';
import { EngineError } from '../../../core/errors';
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
  if (isDir) return openDiffusersFolder(path, options);
  if (/\.safetensors$/i.test(path) || /\.(ckpt|pt|pth|bin)$/i.test(path)) return openSingleFile(path, options);
  throw new EngineError('invalid-argument', `${path} is neither a model folder nor a .safetensors checkpoint; choose the folder holding model_index.json, or a .safetensors file.`, { path });
}
