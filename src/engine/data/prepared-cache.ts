// The preparation cache: tensors computed once per (input, model, resolution, variant) and stored
// as .npy files under the workspace's caches/prepared/, indexed in SQLite. Keys carry only what an
// entry depends on: pixels depend on the resolution (not the model), latents on the VAE and the
// resolution, text states and prompt embeddings on their encoder (not the resolution). So changing
// the model or the resolution invalidates exactly the entries that depend on it. With the SD
// encoders (sd-encoders.ts) a latent entry is the VAE's distribution [2C, h, w], mean then logvar,
// a text-states entry [77, D] and a prompt embedding [D] (the pooled output).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PreparedCacheRepository, type CacheEntry, type CacheKey, type CacheKind } from '../store/repositories/datasets-prepared';
import type { Workspace } from '../store/workspace';
import { decodeNpy, encodeNpy, type NpyTensor } from './npy';
import { tempPathFor } from './temp-files';

/** The key of a cache entry, with the fields it does not depend on zeroed. */
export function cacheKey(kind: CacheKind, inputHash: string, modelId: string, resolution: number, variant: string): CacheKey {
  switch (kind) {
    case 'pixels':
      return { kind, inputHash, modelId: '', resolution, variant };
    case 'latent':
      return { kind, inputHash, modelId, resolution, variant };
    case 'text-states':
    case 'prompt-embedding':
      return { kind, inputHash, modelId, resolution: 0, variant: '' };
  }
}

export function captionHash(caption: string): string {
  return createHash('sha256').update(caption, 'utf8').digest('hex');
}

/** How cached files are checked before being reused: their size (cheap), or their sha256 too. */
export type CacheVerify = 'size' | 'sha256';

export class PreparedCache {
  readonly index: PreparedCacheRepository;
  readonly dir: string;

  constructor(ws: Workspace) {
    this.index = new PreparedCacheRepository(ws.db);
    this.dir = join(ws.dir, 'caches', 'prepared');
  }

  #relPath(key: CacheKey): string {
    const model = key.modelId ? createHash('sha256').update(key.modelId).digest('hex').slice(0, 12) : 'any';
    return join(key.kind, model, String(key.resolution), key.inputHash.slice(0, 2), `${key.inputHash}${key.variant ? `-${key.variant}` : ''}.npy`);
  }

  has(key: CacheKey): boolean {
    return this.index.get(key) !== undefined;
  }

  /**
   * Whether `key` is cached and its file is whole: present with the indexed size, and with
   * `verify: 'sha256'` also the indexed hash. 'damaged' means indexed but missing, truncated or
   * changed: the caller rebuilds it (write replaces the entry).
   */
  async check(key: CacheKey, verify: CacheVerify): Promise<'valid' | 'absent' | 'damaged'> {
    const entry = this.index.get(key);
    if (!entry) return 'absent';
    const path = join(this.dir, entry.path);
    const size = await stat(path).then((s) => (s.isFile() ? s.size : -1), () => -1);
    if (size !== entry.bytes) return 'damaged';
    if (verify === 'size') return 'valid';
    const bytes = await readFile(path).catch(() => undefined);
    return bytes && createHash('sha256').update(bytes).digest('hex') === entry.sha256 ? 'valid' : 'damaged';
  }

  async read(key: CacheKey): Promise<NpyTensor | undefined> {
    const entry = this.index.get(key);
    if (!entry) return undefined;
    const path = join(this.dir, entry.path);
    const bytes = await readFile(path).catch(() => undefined);
    if (!bytes || createHash('sha256').update(bytes).digest('hex') !== entry.sha256) return undefined;
    return decodeNpy(bytes, path);
  }

  /** Writes the tensor (temporary name, then rename) and indexes it. */
  async write(key: CacheKey, tensor: NpyTensor): Promise<CacheEntry> {
    const rel = this.#relPath(key);
    const path = join(this.dir, rel);
    await mkdir(dirname(path), { recursive: true });
    const bytes = encodeNpy(tensor);
    const temp = tempPathFor(path);
    await writeFile(temp, bytes);
    await rename(temp, path);
    const entry: CacheEntry = { ...key, path: rel, dtype: tensor.dtype, shape: tensor.shape, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    this.index.put(entry);
    return entry;
  }

  /** Drops entries of `kind` made for another model or resolution, files included; returns how many. */
  async prune(kind: CacheKind, modelId: string, resolution: number): Promise<number> {
    const key = cacheKey(kind, '0'.repeat(64), modelId, resolution, '');
    const stale = this.index.prune(kind, key.modelId, key.resolution);
    await Promise.all(stale.map((p) => rm(join(this.dir, p), { force: true })));
    return stale.length;
  }
}
