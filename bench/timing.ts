// Timing: per-iteration wall times after a warm-up, and the summary the benchmark reports. On a
// shared machine the minimum over several alternating rounds is the least noisy estimate of what
// the code costs (other load only ever adds time), so run.ts reports best-of times.
export async function timesMs(fn: () => Promise<unknown>, iters: number, warmup: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times;
}

export function best(times: readonly number[]): number {
  return Math.min(...times);
}

export function median(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
