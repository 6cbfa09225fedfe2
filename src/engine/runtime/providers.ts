// Execution providers: which of CUDA (Linux), DirectML (Windows), CoreML (macOS) and CPU this
// machine can run, each with a reason a user can act on, and which one the engine chooses.
// Detection is honest: platform, onnxruntime's compiled backends, provider libraries on disk, the
// GPU driver, and finally a real probe session on the provider. Any failure falls back to CPU and
// says why; the choice is never silent.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { env, listSupportedBackends } from 'onnxruntime-node';
import type { ExecutionProviderInfo } from '../../shared/machine-info';
import { EngineError } from '../core/errors';
import { GraphBuilder } from '../ir/builder';
import { emitModel } from '../onnx/model';
import { loadSession, type ProviderName } from './session';
import { hostTensor } from './tensor';

export interface ProviderReport {
  readonly providers: ExecutionProviderInfo[];
  readonly chosen: ProviderName;
  readonly reason: string;
  readonly onnxruntimeVersion: string;
}

export interface ProbeEnvironment {
  readonly platform: NodeJS.Platform;
  readonly arch: string;
  /** Backends onnxruntime-node was compiled with, by name. */
  readonly backends: readonly string[];
  /** Folder holding onnxruntime_binding.node and the provider shared libraries. */
  readonly binaryDir: string;
  readonly fileExists: (path: string) => boolean;
  /** Tries a one-node session on the provider; resolves to an error message, or null when it ran. */
  readonly probe: (provider: ProviderName) => Promise<string | null>;
}

/** y = x + x over float32[1]: the smallest model that proves a provider can run a session. */
export function probeModelBytes(): Uint8Array {
  const b = new GraphBuilder('provider_probe');
  const x = b.input('x', 'float32', [1]);
  b.output(b.add(x, x), 'y');
  return emitModel(b.build());
}

export async function probeProvider(provider: ProviderName): Promise<string | null> {
  try {
    const session = await loadSession({ bytes: probeModelBytes(), name: `${provider}-probe` }, provider, { intraOpThreads: 1 });
    try {
      const out = await session.run({ x: hostTensor('float32', [1], new Float32Array([42])) });
      return out.y?.data[0] === 84 ? null : 'the probe session ran but returned a wrong value';
    } finally {
      await session.dispose();
    }
  } catch (cause) {
    if (cause instanceof EngineError && typeof cause.details.ortMessage === 'string') return cause.details.ortMessage.trim();
    return cause instanceof Error ? cause.message : String(cause);
  }
}

function ortBinaryDir(platform: string, arch: string): string {
  const require = createRequire(import.meta.url);
  const pkg = dirname(require.resolve('onnxruntime-node/package.json'));
  return join(pkg, 'bin', 'napi-v6', platform, arch);
}

export function defaultProbeEnvironment(): ProbeEnvironment {
  return {
    platform: process.platform,
    arch: process.arch,
    backends: listSupportedBackends().map((b) => b.name),
    binaryDir: ortBinaryDir(process.platform, process.arch),
    fileExists: existsSync,
    probe: probeProvider,
  };
}

const PLATFORM_PROVIDER: Partial<Record<NodeJS.Platform, ProviderName>> = { linux: 'cuda', win32: 'dml', darwin: 'coreml' };
const PLATFORM_NAME: Record<Exclude<ProviderName, 'cpu'>, string> = { cuda: 'Linux', dml: 'Windows', coreml: 'macOS' };
const DISPLAY: Record<ProviderName, string> = { cuda: 'CUDA', dml: 'DirectML', coreml: 'CoreML', cpu: 'CPU' };

function cudaDriverFound(e: ProbeEnvironment): boolean {
  if (e.platform !== 'linux') return true;
  const libDirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib/aarch64-linux-gnu', '/usr/local/nvidia/lib64', '/usr/lib/wsl/lib'];
  return e.fileExists('/proc/driver/nvidia/version') || e.fileExists('/dev/nvidiactl') || libDirs.some((d) => e.fileExists(join(d, 'libcuda.so.1')));
}

/** Static reasons a provider cannot run here, before any probe; null when it may. */
function staticBlocker(name: Exclude<ProviderName, 'cpu'>, e: ProbeEnvironment): string | null {
  if (PLATFORM_PROVIDER[e.platform] !== name) return `${DISPLAY[name]} is only used on ${PLATFORM_NAME[name]}; this machine runs ${e.platform}.`;
  if (!e.backends.includes(name)) return `This onnxruntime-node build (${e.platform}/${e.arch}) has no ${DISPLAY[name]} provider compiled in; use an onnxruntime-node build that includes it.`;
  if (name === 'cuda') {
    const lib = e.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
    if (!e.fileExists(join(e.binaryDir, lib))) {
      return `onnxruntime-node's CUDA provider binaries are not installed (${lib} missing next to onnxruntime_binding.node in ${e.binaryDir}); reinstall onnxruntime-node with network access (npm rebuild onnxruntime-node) so its postinstall can download them.`;
    }
    if (!cudaDriverFound(e)) return 'No NVIDIA driver found (no /proc/driver/nvidia/version, /dev/nvidiactl or libcuda.so.1); install the NVIDIA driver and CUDA 12 runtime.';
  }
  return null;
}

async function detectOne(name: Exclude<ProviderName, 'cpu'>, e: ProbeEnvironment): Promise<ExecutionProviderInfo> {
  const blocker = staticBlocker(name, e);
  if (blocker !== null) return { name, available: false, reason: blocker };
  const failure = await e.probe(name);
  if (failure !== null) return { name, available: false, reason: `${DISPLAY[name]} failed to initialise a test session (${failure.split('\n')[0]}); falling back to CPU. Check the driver and runtime libraries.` };
  return { name, available: true, reason: `${DISPLAY[name]} ran a test session.` };
}

/** Detects every provider and chooses one; `prefer` forces a choice when that provider is available. */
export async function detectProviders(e: ProbeEnvironment = defaultProbeEnvironment(), prefer?: ProviderName): Promise<ProviderReport> {
  const accelerated = await Promise.all((['cuda', 'dml', 'coreml'] as const).map((n) => detectOne(n, e)));
  const cpuFailure = await e.probe('cpu');
  const cpu: ExecutionProviderInfo = { name: 'cpu', available: cpuFailure === null, reason: cpuFailure === null ? 'The CPU provider runs everywhere.' : `The CPU provider failed a test session (${cpuFailure}); reinstall onnxruntime-node.` };
  const providers = [...accelerated, cpu];
  const { chosen, reason } = choose(providers, e.platform, prefer);
  return { providers, chosen, reason, onnxruntimeVersion: onnxruntimeVersion() };
}

function choose(providers: ExecutionProviderInfo[], platform: NodeJS.Platform, prefer?: ProviderName): { chosen: ProviderName; reason: string } {
  const info = (n: ProviderName): ExecutionProviderInfo | undefined => providers.find((p) => p.name === n);
  if (prefer !== undefined) {
    const p = info(prefer);
    if (p?.available) return { chosen: prefer, reason: `${DISPLAY[prefer]} was requested and is available.` };
    return { chosen: 'cpu', reason: `${DISPLAY[prefer]} was requested but is unavailable, so the engine uses the CPU: ${p?.reason ?? ''}` };
  }
  const native = PLATFORM_PROVIDER[platform];
  if (native === undefined) return { chosen: 'cpu', reason: `No GPU provider is supported on ${platform}; using the CPU.` };
  const p = info(native);
  if (p?.available) return { chosen: native, reason: `${DISPLAY[native]} is available on this ${PLATFORM_NAME[native as Exclude<ProviderName, 'cpu'>]} machine.` };
  return { chosen: 'cpu', reason: `Using the CPU because ${DISPLAY[native]} is unavailable: ${p?.reason ?? 'unknown reason'}` };
}

export function onnxruntimeVersion(): string {
  return env.versions.node ?? env.versions.common;
}

let detected: Promise<ProviderReport> | undefined;

/**
 * The machine's provider report, detected once per process. `prefer` (a user's setting) picks that
 * provider when it is available and otherwise says why the CPU was chosen instead.
 */
export async function providerReport(prefer?: ProviderName): Promise<ProviderReport> {
  detected ??= detectProviders();
  const report = await detected;
  return prefer === undefined ? report : { ...report, ...choose(report.providers, process.platform, prefer) };
}

