// Writes the world model as a diffusers folder (model_index.json; unet/, vae/, text_encoder/ with
// config.json and float32 safetensors under state-dict keys; tokenizer/; scheduler/), built in a
// temporary sibling folder and renamed into place, so a half-written model never looks valid; and
// reads such a folder back (readWorldModel), for refining a built model.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { EngineError } from '../core/errors';
import { basename, dirname, join, resolve } from 'node:path';
import { hostTensor, type HostTensor } from '../runtime';
import { openSafetensors, readTensor, writeSafetensors, type TensorToWrite } from '../weights';
import { WORLD_MODEL_INDEX, WORLD_SCHEDULER, WORLD_UNET, WORLD_VAE, worldTextConfig } from './model-config';
import { tokenizerFiles } from './tokenizer';
import { CAPTION_WORDS } from './vocabulary';

export interface WorldWeights {
  readonly unet: Readonly<Record<string, HostTensor>>;
  readonly textEncoder: Readonly<Record<string, HostTensor>>;
  readonly vae: Readonly<Record<string, HostTensor>>;
  /** The VAE's latent scaling factor (1 / std of the training latents). */
  readonly scalingFactor: number;
}

const json = (path: string, value: unknown): void => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);

function tensors(params: Readonly<Record<string, HostTensor>>): TensorToWrite[] {
  return Object.keys(params).sort().map((name) => {
    const t = params[name] as HostTensor;
    return { name, dtype: 'F32', shape: t.dims, data: t.data as Float32Array };
  });
}

/** Writes the tokenizer files into `dir` (created). */
export function writeTokenizer(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(tokenizerFiles(CAPTION_WORDS))) writeFileSync(join(dir, name), text);
}

export async function saveWorldModel(target: string, weights: WorldWeights): Promise<string> {
  const dir = resolve(target);
  const tmp = join(dirname(dir), `.${basename(dir)}.partial-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    for (const sub of ['unet', 'vae', 'text_encoder', 'scheduler']) mkdirSync(join(tmp, sub), { recursive: true });
    json(join(tmp, 'model_index.json'), WORLD_MODEL_INDEX);
    json(join(tmp, 'unet', 'config.json'), WORLD_UNET);
    json(join(tmp, 'vae', 'config.json'), { ...WORLD_VAE, scaling_factor: weights.scalingFactor });
    json(join(tmp, 'text_encoder', 'config.json'), worldTextConfig());
    json(join(tmp, 'scheduler', 'scheduler_config.json'), WORLD_SCHEDULER);
    writeTokenizer(join(tmp, 'tokenizer'));
    await writeSafetensors(join(tmp, 'unet', 'diffusion_pytorch_model.safetensors'), tensors(weights.unet), { format: 'pt' });
    await writeSafetensors(join(tmp, 'vae', 'diffusion_pytorch_model.safetensors'), tensors(weights.vae), { format: 'pt' });
    await writeSafetensors(join(tmp, 'text_encoder', 'model.safetensors'), tensors(weights.textEncoder), { format: 'pt' });
    if (existsSync(dir)) rmSync(dir, { recursive: true });
    renameSync(tmp, dir);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  return dir;
}

async function readAll(path: string): Promise<Record<string, HostTensor>> {
  const file = await openSafetensors(path);
  const out: Record<string, HostTensor> = {};
  for (const name of file.tensors.keys()) {
    const t = await readTensor(file, name, 'float32');
    out[name] = hostTensor('float32', t.shape, t.data as Float32Array);
  }
  return out;
}

/** Reads a world model folder written by saveWorldModel back into its weights (float32). */
export async function readWorldModel(target: string): Promise<WorldWeights> {
  const dir = resolve(target);
  if (!existsSync(join(dir, 'model_index.json'))) {
    throw new EngineError('not-found', `${dir} is not a world model folder (no model_index.json); pass the folder \`aptp world build\` wrote, for example resources/world.`, { dir });
  }
  const vaeConfig = JSON.parse(readFileSync(join(dir, 'vae', 'config.json'), 'utf8')) as { scaling_factor?: unknown };
  if (typeof vaeConfig.scaling_factor !== 'number') throw new EngineError('invalid-argument', `${join(dir, 'vae', 'config.json')} has no numeric scaling_factor; it was not written by \`aptp world build\`.`, { dir });
  return {
    unet: await readAll(join(dir, 'unet', 'diffusion_pytorch_model.safetensors')),
    textEncoder: await readAll(join(dir, 'text_encoder', 'model.safetensors')),
    vae: await readAll(join(dir, 'vae', 'diffusion_pytorch_model.safetensors')),
    scalingFactor: vaeConfig.scaling_factor,
  };
}
