// Optimized-model cache. Loading a large training graph is mostly onnxruntime optimising it
// (constant folding of the flipped conv kernels, the NCHWc re-layout of every conv weight, fusions),
// the same work at every start. The first load of a model saves onnxruntime's optimised graph with
// its initializers as external data into the cache folder; every load, the first included, then
// opens that saved graph with optimisation off: seconds instead of minutes, and the weights are
// mapped from the file instead of folded into fresh memory. The key covers the model file's bytes,
// the identity (device, inode, size, mtime) of every external data file the model names, the
// options that shape the optimised graph, the onnxruntime version and the CPU model (the NCHWc
// block size follows the CPU's vector width), so a changed weight file or another machine misses.
// Files: `<key>.onnx` (written last, by rename: it marks a complete entry) and `<key>.<tag>.data`.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { env } from 'onnxruntime-node';
import { EngineError } from '../core/errors';
import { externalDataLocations } from '../onnx/external-data';
import type { ProviderName, SessionConfig } from './session';

/** Cached optimised models kept per folder; older ones are deleted when a new one is saved. */
export const OPTIMIZED_CACHE_ENTRIES = 4;

/** Where a cold load saves onnxruntime's optimised graph. */
export interface SaveTarget {
  readonly modelPath: string;
  /** External data file name, relative to modelPath's folder. */
  readonly dataName: string;
}

export type LoadFn<S> = (path: string, config: SessionConfig, save?: SaveTarget) => Promise<S>;

/** How a cached load went: 'hit' (a saved graph was reused) or 'saved' (optimised now and saved). */
export type CacheOutcome = 'hit' | 'saved';

async function readModel(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new EngineError('io-failure', `Cannot read model file '${path}': ${String(cause)}. Check that the path exists and is readable.`, { path }, { cause });
  }
}

/** The cache key of a model file under these options (see the file comment for what it covers). */
export async function optimizedCacheKey(modelPath: string, provider: ProviderName, config: SessionConfig): Promise<string> {
  const bytes = await readModel(modelPath);
  const hash = createHash('sha256').update(bytes);
  for (const location of externalDataLocations(bytes).sort()) {
    const st = await stat(join(dirname(modelPath), location)).catch(() => undefined);
    hash.update(`\0data:${location}:${st ? `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}` : 'missing'}`);
  }
  const shaping = [provider, config.optimization ?? 'all', config.prepacking ?? true, [...(config.disabledOptimizers ?? [])].sort()];
  hash.update(`\0options:${JSON.stringify(shaping)}\0ort:${env.versions.node ?? env.versions.common}\0cpu:${cpus()[0]?.model ?? 'unknown'}`);
  return hash.digest('hex').slice(0, 32);
}

/**
 * Loads `modelPath` through the cache folder `dir`: a saved optimised graph when there is one for
 * this key, else optimises once, saves, and loads the saved graph. `load` opens one session.
 */
export async function loadThroughCache<S extends { dispose(): Promise<void> }>(modelPath: string, dir: string, provider: ProviderName, config: SessionConfig, load: LoadFn<S>): Promise<{ session: S; outcome: CacheOutcome }> {
  await mkdir(dir, { recursive: true }).catch((cause: unknown) => {
    throw new EngineError('io-failure', `Cannot create the optimized-model cache folder '${dir}': ${String(cause)}. Choose a writable folder.`, { dir }, { cause });
  });
  const key = await optimizedCacheKey(modelPath, provider, config);
  const cached = join(dir, `${key}.onnx`);
  const plain = { ...config, optimization: 'disabled' as const };
  if (existsSync(cached)) {
    const session = await load(cached, plain).catch(async () => {
      await removeEntry(dir, key); // a damaged entry is optimised again below
      return undefined;
    });
    if (session) {
      const now = new Date();
      await utimes(cached, now, now).catch(() => undefined);
      return { session, outcome: 'hit' };
    }
  }
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const target: SaveTarget = { modelPath: join(dir, `${key}.${tag}.onnx.tmp`), dataName: `${key}.${tag}.data` };
  const optimizing = await load(modelPath, config, target);
  if (!existsSync(target.modelPath)) return { session: optimizing, outcome: 'saved' };
  await optimizing.dispose();
  await rename(target.modelPath, cached);
  await removeStaleData(dir, key, target.dataName);
  await prune(dir);
  return { session: await load(cached, plain), outcome: 'saved' };
}

async function removeEntry(dir: string, key: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(`${key}.`)).map((n) => rm(join(dir, n), { force: true })));
}

/** Data files of this key written by earlier or concurrent saves that lost the final rename. */
async function removeStaleData(dir: string, key: string, keep: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(`${key}.`) && n.endsWith('.data') && n !== keep).map((n) => rm(join(dir, n), { force: true })));
}

/** Keeps the OPTIMIZED_CACHE_ENTRIES most recently used entries. */
async function prune(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const models = await Promise.all(names.filter((n) => n.endsWith('.onnx')).map(async (n) => ({ key: n.slice(0, -'.onnx'.length), used: (await stat(join(dir, n)).catch(() => undefined))?.mtimeMs ?? 0 })));
  models.sort((a, b) => b.used - a.used);
  for (const old of models.slice(OPTIMIZED_CACHE_ENTRIES)) await removeEntry(dir, old.key);
}
