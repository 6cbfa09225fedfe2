// RuntimeSession: one onnxruntime inference session over ONNX bytes or a model path (external data
// resolved next to the file), run with named host tensors, returning named host tensors. Every
// onnxruntime failure surfaces as EngineError('runtime-failure') naming the model (and node).
import { env, InferenceSession, listSupportedBackends, type Tensor } from 'onnxruntime-node';
import type { ExecutionProviderInfo } from '../../shared/machine-info';
import { EngineError } from '../core/errors';
import { loadThroughCache, type CacheOutcome, type SaveTarget } from './optimized-cache';
import { wrapOrtError } from './ort-error';
import { fromOrtTensor, toOrtTensor, type HostTensor } from './tensor';

export type ProviderName = ExecutionProviderInfo['name'];

// onnxruntime's own logger would print failures the engine reports as EngineErrors anyway.
env.logLevel = 'fatal';

export interface SessionConfig {
  /** Execution provider; 'auto' takes the one providers.ts chose for this machine. Default 'auto'. */
  readonly provider?: ProviderName | 'auto';
  readonly intraOpThreads?: number;
  readonly interOpThreads?: number;
  readonly optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * Let kernels keep their own re-laid-out copy of constant weights (default true). A weight used
   * by two kernels (a forward Gemm and its gradient) is then held twice; false keeps one copy.
   */
  readonly prepacking?: boolean;
  /**
   * Let idle intra-op threads spin waiting for work (default true, onnxruntime's default). On a CPU
   * shared with other work, spinning threads compete with the ones computing: a world VAE training
   * step at 2 threads on a loaded 2-core machine took about twice as long spinning as not.
   */
  readonly spinning?: boolean;
  /**
   * Serve tensors from onnxruntime's CPU memory arena (default true, onnxruntime's default). The
   * arena keeps freed blocks for reuse, so a session's resident memory stays at its peak; false
   * returns them to the allocator.
   */
  readonly memoryArena?: boolean;
  /**
   * Plan all of a run's intermediate tensors into one block allocated per run (default true,
   * onnxruntime's default). That block bypasses the arena's cache: it is fresh memory every run,
   * which the kernel must zero page by page; on the SD 2.1 pruning step at batch 4 (blocks of
   * gigabytes) that was a fifth of the step. False allocates each tensor from the arena instead.
   */
  readonly memoryPattern?: boolean;
  /** onnxruntime graph transformers to skip by name (e.g. 'NchwcTransformer'). */
  readonly disabledOptimizers?: readonly string[];
  /**
   * Folder of saved optimised graphs (optimized-cache.ts). A model loaded by path is optimised once
   * per key and later loads open the saved graph with optimisation off. Ignored for in-memory models.
   */
  readonly optimizedCacheDir?: string;
  /**
   * Record onnxruntime's per-node profile (Chrome trace JSON, every kernel's time and shapes) of
   * every run; onnxruntime writes it to `<prefix>_<date>.json` when the session is disposed. For
   * benches (bench/ort-profile.ts reads it); it slows runs slightly.
   */
  readonly profileFilePrefix?: string;
}

/** A model to load: bytes in memory, or a path whose external data files sit beside it. */
export type ModelSource = { readonly bytes: Uint8Array; readonly name?: string } | { readonly path: string };

export type Feeds = Readonly<Record<string, HostTensor>>;
export type Outputs = Record<string, HostTensor>;

export function modelLabel(source: ModelSource): string {
  return 'path' in source ? source.path : source.name ?? `<${source.bytes.byteLength} bytes>`;
}

export function ortSessionOptions(provider: ProviderName, config: SessionConfig, save?: SaveTarget): InferenceSession.SessionOptions {
  checkThreads('intraOpThreads', config.intraOpThreads);
  checkThreads('interOpThreads', config.interOpThreads);
  return {
    ...(save ? { optimizedModelFilePath: save.modelPath } : {}),
    executionProviders: provider === 'cpu' ? ['cpu'] : [provider, 'cpu'],
    graphOptimizationLevel: config.optimization ?? 'all',
    logSeverityLevel: 4,
    ...(config.intraOpThreads !== undefined ? { intraOpNumThreads: config.intraOpThreads } : {}),
    ...(config.interOpThreads !== undefined ? { interOpNumThreads: config.interOpThreads } : {}),
    ...(config.interOpThreads !== undefined && config.interOpThreads > 1 ? { executionMode: 'parallel' as const } : {}),
    ...(config.memoryArena === false ? { enableCpuMemArena: false } : {}),
    ...(config.memoryPattern === false ? { enableMemPattern: false } : {}),
    ...(config.profileFilePrefix !== undefined ? { enableProfiling: true, profileFilePrefix: config.profileFilePrefix } : {}),
    ...optional('extra', sessionEntries(config, save)),
  };
}

/** onnxruntime's string-keyed session config entries, nested by their dotted names. */
function sessionEntries(config: SessionConfig, save: SaveTarget | undefined): Record<string, Record<string, string>> | undefined {
  const entries: Record<string, Record<string, string>> = {
    session: {
      ...(config.prepacking === false ? { disable_prepacking: '1' } : {}),
      ...(config.spinning === false ? { 'intra_op.allow_spinning': '0', 'inter_op.allow_spinning': '0' } : {}),
      ...(save ? { optimized_model_external_initializers_file_name: save.dataName, optimized_model_external_initializers_min_size_in_bytes: '1024' } : {}),
    },
    ...(config.disabledOptimizers?.length ? { optimization: { disable_specified_optimizers: config.disabledOptimizers.join(';') } } : {}),
  };
  // Nothing asked for: no entries at all, so onnxruntime runs with its own defaults untouched.
  return Object.values(entries).some((group) => Object.keys(group).length > 0) ? entries : undefined;
}

/** { [key]: value } when there is a value, {} otherwise (no key set to undefined). */
function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function checkThreads(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new EngineError('invalid-argument', `${name} must be a positive integer (got ${value}); leave it unset to let onnxruntime pick.`, { [name]: value });
  }
}

/**
 * Loads an uncached session on an explicit provider. Prefer openSession (session-cache.ts).
 * onnxruntime's extended optimisations can fuse ops into com.microsoft kernels that exist only for
 * float32 (QuickGelu from x*sigmoid(x) in a float64 graph, for one); such a load is retried once
 * at 'basic' optimisation, which keeps the graph as written, and the session records it.
 */
export async function loadSession(source: ModelSource, provider: ProviderName, config: SessionConfig = {}, key = ''): Promise<RuntimeSession> {
  requireBackend(provider, modelLabel(source));
  if (!('path' in source) || config.optimizedCacheDir === undefined) return loadDirect(source, provider, config, key);
  const model = source.path;
  const loaded = await loadThroughCache(model, config.optimizedCacheDir, provider, config, async (path, c, save) => {
    const ort = await createOrt({ path }, provider, c, model, save);
    return new RuntimeSession(ort.session, model, provider, key, config.optimization ?? 'all');
  });
  return RuntimeSession.withCache(loaded.session, loaded.outcome);
}

async function loadDirect(source: ModelSource, provider: ProviderName, config: SessionConfig, key: string): Promise<RuntimeSession> {
  const ort = await createOrt(source, provider, config, modelLabel(source));
  return new RuntimeSession(ort.session, modelLabel(source), provider, key, ort.level);
}

/** Creates the onnxruntime session, retrying once at 'basic' when a fused float32-only kernel is missing. */
async function createOrt(source: ModelSource, provider: ProviderName, config: SessionConfig, model: string, save?: SaveTarget): Promise<{ session: InferenceSession; level: NonNullable<SessionConfig['optimization']> }> {
  const create = (c: SessionConfig): Promise<InferenceSession> => {
    const options = ortSessionOptions(provider, c, save);
    return 'path' in source ? InferenceSession.create(source.path, options) : InferenceSession.create(source.bytes, options);
  };
  const level = config.optimization ?? 'all';
  try {
    return { session: await create(config), level };
  } catch (cause) {
    if (level === 'basic' || level === 'disabled' || !FUSED_KERNEL_MISSING.test(String(cause))) throw wrapOrtError(cause, { model, stage: 'load', provider });
    try {
      return { session: await create({ ...config, optimization: 'basic' }), level: 'basic' };
    } catch (retryCause) {
      throw wrapOrtError(retryCause, { model, stage: 'load', provider });
    }
  }
}

/**
 * onnxruntime-common silently drops a requested provider whose backend is not registered and runs
 * on the CPU; the engine refuses instead, so a session never claims a provider it does not use.
 */
function requireBackend(provider: ProviderName, model: string): void {
  if (provider === 'cpu' || listSupportedBackends().some((b) => b.name === provider)) return;
  throw new EngineError('provider-unavailable', `onnxruntime-node on this machine has no '${provider}' backend, so model '${model}' cannot run on it; use the CPU or the provider the machine report chose.`, { provider, model });
}

const FUSED_KERNEL_MISSING = /Failed to find kernel for com\.microsoft\./;

export class RuntimeSession {
  private inFlight = 0;
  private disposeRequested = false;
  private released = false;

  constructor(
    private readonly ort: InferenceSession,
    readonly model: string,
    readonly provider: ProviderName,
    readonly key: string,
    /** The graph optimisation level the session actually runs with. */
    readonly optimization: NonNullable<SessionConfig['optimization']> = 'all',
    /** Why the session runs on the CPU instead of the provider chosen for it, when it does. */
    readonly fallback?: string,
    /** With an optimized-model cache: whether a saved graph was reused ('hit') or made now ('saved'). */
    readonly optimizedCache?: CacheOutcome,
  ) {}

  /** The same session, noting that it fell back to the CPU and why. */
  static fellBack(session: RuntimeSession, reason: string): RuntimeSession {
    return new RuntimeSession(session.ort, session.model, session.provider, session.key, session.optimization, reason, session.optimizedCache);
  }

  /** The same session, noting how the optimized-model cache served it. */
  static withCache(session: RuntimeSession, outcome: CacheOutcome): RuntimeSession {
    return new RuntimeSession(session.ort, session.model, session.provider, session.key, session.optimization, session.fallback, outcome);
  }

  get inputNames(): readonly string[] { return this.ort.inputNames; }
  get outputNames(): readonly string[] { return this.ort.outputNames; }
  get disposed(): boolean { return this.disposeRequested; }

  /** Runs the model; returns the requested outputs (all outputs when none are named). */
  async run(feeds: Feeds, outputs: readonly string[] = this.outputNames): Promise<Outputs> {
    if (this.disposeRequested) {
      throw new EngineError('runtime-failure', `The session for model '${this.model}' was disposed or evicted from the cache; open it again with openSession.`, { model: this.model });
    }
    this.checkNames(feeds, outputs);
    const ortFeeds: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = toOrtTensor(name, t);
    this.inFlight += 1;
    try {
      const result = await this.ort.run(ortFeeds, [...outputs], { logSeverityLevel: 4 });
      const out: Outputs = {};
      for (const name of outputs) {
        const t = result[name];
        if (t === undefined) throw new EngineError('runtime-failure', `onnxruntime returned no value for output '${name}' of model '${this.model}'.`, { model: this.model, output: name });
        out[name] = fromOrtTensor(name, t as Tensor);
      }
      return out;
    } catch (cause) {
      throw wrapOrtError(cause, { model: this.model, stage: 'run', provider: this.provider });
    } finally {
      this.inFlight -= 1;
      if (this.disposeRequested && this.inFlight === 0) await this.release();
    }
  }

  /** Releases native memory now, or after the runs in flight finish. Idempotent. */
  async dispose(): Promise<void> {
    this.disposeRequested = true;
    if (this.inFlight === 0) await this.release();
  }

  private async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.ort.release();
  }

  private checkNames(feeds: Feeds, outputs: readonly string[]): void {
    const expected = this.inputNames;
    const missing = expected.filter((n) => !(n in feeds));
    const unknown = Object.keys(feeds).filter((n) => !expected.includes(n));
    const badOut = outputs.filter((n) => !this.outputNames.includes(n));
    if (missing.length > 0 || unknown.length > 0 || badOut.length > 0) {
      throw new EngineError('invalid-argument', `Inputs/outputs do not match model '${this.model}' (missing inputs: [${missing.join(', ')}], unknown inputs: [${unknown.join(', ')}], unknown outputs: [${badOut.join(', ')}]); the model takes [${expected.join(', ')}] and returns [${this.outputNames.join(', ')}].`, { model: this.model, missing, unknown, unknownOutputs: badOut });
    }
  }
}
