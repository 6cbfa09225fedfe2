// Shared plumbing for component configs: read a JSON file, validate it with a zod schema (diffusers'
// defaults applied, unknown keys dropped), and hand back a deeply frozen value. Every failure is an
// EngineError naming the file and the offending key, with what to do next.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { EngineError } from '../../../core/errors';

/** A value whose nested objects and arrays are all readonly (what parse functions return). */
export type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

export function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value as DeepReadonly<T>;
}

/**
 * Sanity bounds on every size a config can set, checked by the schemas before anything is allocated
 * or built: far above any SD 1.x/2.x model (SD 2.1: 4 blocks of up to 1280 channels, 2 layers,
 * 1000 timesteps, 77 positions, 49408 tokens), far below what would exhaust memory or hang a loop.
 */
export const LIMITS = Object.freeze({
  blocks: 8,
  layers: 32,
  channels: 16_384,
  ioChannels: 64,
  kernel: 7,
  /** UNet sample_size: latent cells per side (8192 px at a VAE factor of 8). */
  latentSide: 1024,
  /** VAE sample_size: pixels per side. */
  pixelSide: 8192,
  vocab: 1 << 20,
  positions: 4096,
  hiddenLayers: 256,
  width: 65_536,
  timesteps: 100_000,
});

/** A positive integer size with a sanity upper bound (the message names the bound). */
export function size(max: number): z.ZodNumber {
  return z.number().int().positive().max(max, { error: `at most ${max}; no SD model comes near it, so the file is damaged or not an SD config` });
}

/** Where a config came from, for messages: a file path or a label such as `unet/config.json`. */
export interface ConfigOrigin {
  readonly file: string;
  readonly component: string;
}

/** Validates already-parsed JSON against `schema`; throws 'corrupt-file' naming file and key. */
export function parseWith<S extends z.ZodType>(schema: S, json: unknown, origin: ConfigOrigin): DeepReadonly<z.output<S>> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new EngineError('corrupt-file', `${origin.file} is not a JSON object; the ${origin.component} config must be a {...} object as diffusers writes it. Re-download or re-save the model.`, { file: origin.file, component: origin.component });
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = issue ? issue.path.join('.') || '(root)' : '(root)';
    const why = issue ? issue.message : 'invalid';
    throw new EngineError('corrupt-file', `${origin.file}: key '${key}' is invalid (${why}); fix the ${origin.component} config or re-download the model.`, { file: origin.file, component: origin.component, key, issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
  }
  return deepFreeze(result.data);
}

/** Reads and parses a JSON file; a missing file is 'not-found', bad JSON is 'corrupt-file'. */
export function readJsonFile(file: string, component: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new EngineError('not-found', `${file} does not exist; the ${component} needs it. Point at a complete diffusers model folder.`, { file, component }, { cause });
    throw new EngineError('io-failure', `cannot read ${file} (${code ?? String(cause)}); check its permissions.`, { file, component }, { cause });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new EngineError('corrupt-file', `${file} is not valid JSON (${(cause as Error).message}); the file is damaged or half-downloaded, re-download it.`, { file, component }, { cause });
  }
}

/** readJsonFile + parseWith. */
export function readConfigFile<S extends z.ZodType>(schema: S, file: string, component: string): DeepReadonly<z.output<S>> {
  return parseWith(schema, readJsonFile(file, component), { file, component });
}

/** Expands diffusers' "int or per-block list" fields to one entry per block, checking the length. */
export function perBlock<T>(value: T | readonly T[], blocks: number, key: string, origin: ConfigOrigin): readonly T[] {
  if (!Array.isArray(value)) return Array.from({ length: blocks }, () => value as T);
  if (value.length !== blocks) {
    throw new EngineError('corrupt-file', `${origin.file}: '${key}' has ${value.length} entries but the model has ${blocks} blocks; give one per block or a single number.`, { file: origin.file, component: origin.component, key });
  }
  return value as readonly T[];
}
