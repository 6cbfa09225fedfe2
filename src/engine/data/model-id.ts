// Identifies a model component (vae, text_encoder...) of a diffusers folder for cache keys: the
// hash of its config and of its weight files' names and sizes. Cheap (weights are never read) and
// changes whenever the component is replaced, so caches keyed by it invalidate exactly then.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../core/errors';

export async function modelComponentId(modelDir: string, component: string): Promise<string> {
  const dir = join(modelDir, component);
  const config = await readFile(join(dir, 'config.json')).catch(() => undefined);
  if (!config) {
    throw new EngineError('unsupported-model', `${dir}/config.json is missing: --model must be a diffusers folder with a '${component}' component.`, { dir: modelDir, component });
  }
  const hash = createHash('sha256').update(component).update('\0').update(config);
  for (const name of (await readdir(dir)).filter((n) => /\.(safetensors|bin|onnx|ckpt)$/.test(n)).sort()) {
    hash.update(`\0${name}:${(await stat(join(dir, name))).size}`);
  }
  return `${component}:${hash.digest('hex').slice(0, 32)}`;
}

/** The training resolution a diffusers folder implies: unet sample_size x 8 (the VAE's factor). */
export async function modelResolution(modelDir: string): Promise<number | undefined> {
  const text = await readFile(join(modelDir, 'unet', 'config.json'), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const size = (JSON.parse(text) as { sample_size?: unknown }).sample_size;
  return typeof size === 'number' && Number.isInteger(size) && size > 0 ? size * 8 : undefined;
}
