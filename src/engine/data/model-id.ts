// Identifies a model component (vae, text_encoder...) of a diffusers folder for cache keys: the
// hash of its config and of its weight files' names and contents (streamed; about a second for
// SD's VAE and text encoder, small next to encoding). A fine-tune keeps every name and size, so
// nothing cheaper would do: the id changes exactly when what the component computes can change.
// Text states also depend on the tokenizer, so the text encoder's id hashes the tokenizer too.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
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
    hash.update(`\0${name}\0`);
    for await (const chunk of createReadStream(join(dir, name), { highWaterMark: 1 << 22 })) hash.update(chunk as Buffer);
  }
  return `${component}:${hash.digest('hex').slice(0, 32)}`;
}

/**
 * The training resolution a diffusers folder implies: unet sample_size x the VAE's factor, 2 to the
 * number of VAE blocks less one (8 for SD; 4 for the built-in world's three-block VAE at 64 px).
 */
export async function modelResolution(modelDir: string): Promise<number | undefined> {
  const text = await readFile(join(modelDir, 'unet', 'config.json'), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const size = (JSON.parse(text) as { sample_size?: unknown }).sample_size;
  return typeof size === 'number' && Number.isInteger(size) && size > 0 ? size * (await vaeFactor(modelDir)) : undefined;
}

async function vaeFactor(modelDir: string): Promise<number> {
  const text = await readFile(join(modelDir, 'vae', 'config.json'), 'utf8').catch(() => undefined);
  const blocks = text ? (JSON.parse(text) as { block_out_channels?: unknown }).block_out_channels : undefined;
  return Array.isArray(blocks) && blocks.length > 0 ? 2 ** (blocks.length - 1) : 8;
}

/** The text encoder's id for caption caches: the component id plus the tokenizer files' contents. */
export async function textEncoderId(modelDir: string): Promise<string> {
  const base = await modelComponentId(modelDir, 'text_encoder');
  const dir = join(modelDir, 'tokenizer');
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json') || n.endsWith('.txt')).sort();
  if (names.length === 0) {
    throw new EngineError('unsupported-model', `${dir} holds no tokenizer files: --model must be a diffusers folder with a 'tokenizer' component (vocab.json, merges.txt).`, { dir: modelDir, component: 'tokenizer' });
  }
  const hash = createHash('sha256').update(base);
  for (const name of names) hash.update(`\0${name}\0`).update(await readFile(join(dir, name)));
  return `text_encoder+tokenizer:${hash.digest('hex').slice(0, 32)}`;
}
