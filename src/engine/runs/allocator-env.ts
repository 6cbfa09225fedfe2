// glibc's malloc settings for processes that run large onnxruntime graphs. glibc raises its mmap
// threshold each time a large mmapped block is freed (up to 32 MiB), after which tensors of a few
// MB come from the heap, where freed blocks stay resident and fragment: the SD 2.1 pruning step
// at batch 2 in lean memory mode peaked at 6,998 MB with glibc's default and at 5,465 MB with the
// threshold fixed at 128 KiB (bench/aptp-step.ts; the step time did not change). Fixing it also
// stops the dynamic raise. glibc reads these variables once at process start, so they go into the
// environment of the run workers the engine starts (launcher.ts), and an `aptp prune` typed in a
// shell restarts itself once with them (cli/allocator-rerun.ts). A value the user set is kept.

/** The variables and values; MALLOC_MMAP_THRESHOLD_ is in bytes. */
export const ALLOCATOR_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: String(128 * 1024) };

/** The settings `env` does not set itself. */
const unset = (env: NodeJS.ProcessEnv): [string, string][] => Object.entries(ALLOCATOR_ENV).filter(([name]) => env[name] === undefined);

/** `env` with the allocator settings added where it does not set them itself. */
export function withAllocatorEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, ...Object.fromEntries(unset(env)) };
}

/** `NAME=value` for each setting this process started without (only glibc reads them: Linux). */
export function missingAllocatorEnv(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string[] {
  if (platform !== 'linux') return [];
  return unset(env).map(([name, value]) => `${name}=${value}`);
}
