// Session cache: sessions keyed by graph hash (sha256 of the model bytes, or of a model file's
// bytes and path, plus the resolved provider and options), least-recently-used eviction, and
// disposal that waits for runs in flight. openSession is how the engine gets a session.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { EngineError } from '../core/errors';
import { providerReport } from './providers';
import { loadSession, RuntimeSession, type ModelSource, type ProviderName, type SessionConfig } from './session';

async function modelHash(source: ModelSource): Promise<string> {
  const hash = createHash('sha256');
  if ('path' in source) {
    try {
      hash.update(await readFile(source.path));
    } catch (cause) {
      throw new EngineError('io-failure', `Cannot read model file '${source.path}': ${String(cause)}. Check that the path exists and is readable.`, { path: source.path }, { cause });
    }
    hash.update(`\0path:${source.path}`);
  } else {
    hash.update(source.bytes);
  }
  return hash.digest('hex');
}

export async function resolveProvider(config: SessionConfig): Promise<ProviderName> {
  const wanted = config.provider ?? 'auto';
  return wanted === 'auto' ? (await providerReport()).chosen : wanted;
}

/** The cache key: graph hash + provider (requested and resolved) + every option that changes the session. */
export async function sessionKey(source: ModelSource, provider: ProviderName, config: SessionConfig): Promise<string> {
  const opts = JSON.stringify([config.provider ?? 'auto', provider, config.intraOpThreads ?? null, config.interOpThreads ?? null, config.optimization ?? 'all', config.prepacking ?? true, config.spinning ?? true, config.disabledOptimizers ?? [], config.optimizedCacheDir ?? null]);
  return createHash('sha256').update(await modelHash(source)).update(opts).digest('hex');
}

/**
 * Loads on the provider; when the provider was chosen automatically and fails to initialise for
 * this model, loads on the CPU instead and records why (a requested provider fails loudly).
 */
async function loadWithFallback(source: ModelSource, provider: ProviderName, config: SessionConfig, key: string): Promise<RuntimeSession> {
  const automatic = (config.provider ?? 'auto') === 'auto';
  try {
    return await loadSession(source, provider, config, key);
  } catch (cause) {
    if (!automatic || provider === 'cpu') throw cause;
    const session = await loadSession(source, 'cpu', config, key);
    const why = cause instanceof EngineError ? String(cause.details.ortMessage ?? cause.message) : String(cause);
    return RuntimeSession.fellBack(session, `${provider} failed to initialise this model (${why.split('\n')[0]}); running on the CPU.`);
  }
}

export class SessionCache {
  private readonly entries = new Map<string, Promise<RuntimeSession>>();

  /** `chooseProvider` resolves 'auto' (default: the machine's provider report). */
  constructor(readonly maxEntries = 16, private readonly chooseProvider: (config: SessionConfig) => Promise<ProviderName> = resolveProvider) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new EngineError('invalid-argument', `A session cache needs room for at least one session (got ${maxEntries}).`, { maxEntries });
    }
  }

  get size(): number { return this.entries.size; }

  /** Returns the cached session for this model and config, loading it on first use. */
  async open(source: ModelSource, config: SessionConfig = {}): Promise<RuntimeSession> {
    const provider = await this.chooseProvider(config);
    const key = await sessionKey(source, provider, config);
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      // A caller may dispose a session it opened here; the next open loads a fresh one.
      const cached = await hit.catch(() => undefined);
      if (cached && !cached.disposed) {
        this.entries.delete(key);
        this.entries.set(key, hit);
        return cached;
      }
      if (this.entries.get(key) === hit) this.entries.delete(key);
    }
    const loading = loadWithFallback(source, provider, config, key);
    this.entries.set(key, loading);
    loading.catch(() => this.entries.delete(key));
    await this.trim();
    return loading;
  }

  /** Drops one session (by key) and disposes it once its runs finish. */
  async evict(key: string): Promise<boolean> {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.entries.delete(key);
    await disposeQuietly(entry);
    return true;
  }

  async clear(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map(disposeQuietly));
  }

  private async trim(): Promise<void> {
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      await this.evict(oldest);
    }
  }
}

async function disposeQuietly(entry: Promise<RuntimeSession>): Promise<void> {
  const session = await entry.catch(() => undefined);
  await session?.dispose();
}

const defaultCache = new SessionCache();

/** Opens (or reuses) a session for a model; the engine's one way to get a session. */
export function openSession(source: ModelSource, config: SessionConfig = {}): Promise<RuntimeSession> {
  return defaultCache.open(source, config);
}

export function defaultSessionCache(): SessionCache {
  return defaultCache;
}

