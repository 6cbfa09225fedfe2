// The arithmetic behind the training charts, kept out of the components so it can be tested: the
// sample nearest a step (binary search over sorted steps), the value range of many series, code
// usage stacked into shares per step, and the codes that have emptied (no prompt assigned at the
// latest step), with the step since which they have stayed empty: the router's collapse signal.

/** One metric series as a chart draws it (steps ascending, one value each). */
export interface ChartSeries {
  readonly name: string;
  readonly steps: readonly number[];
  readonly values: readonly number[];
  readonly colour: string;
  /** A band drawn under the line (bucket min/max of a decimated series, or a spread), same length as steps. */
  readonly lower?: readonly number[];
  readonly upper?: readonly number[];
  /** Drawn dashed (the second run of a comparison). */
  readonly dashed?: boolean;
}

/** Index of the entry of sorted `steps` nearest to `step` (ties go to the earlier); -1 when empty. */
export function nearestIndex(steps: ArrayLike<number>, step: number): number {
  if (steps.length === 0) return -1;
  let lo = 0;
  let hi = steps.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (steps[mid]! < step) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(steps[lo - 1]! - step) <= Math.abs(steps[lo]! - step)) return lo - 1;
  return lo;
}

/** Index of the last entry at or before `step`; -1 when every entry is later. */
export function atOrBefore(steps: ArrayLike<number>, step: number): number {
  let lo = 0;
  let hi = steps.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (steps[mid]! <= step) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** [min, max] over the finite values of every series; [0, 1] when there are none. */
export function valueExtent(series: readonly { values: ArrayLike<number> }[], positiveOnly = false): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i]!;
      if (!Number.isFinite(v) || (positiveOnly && v <= 0)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo === Infinity) return positiveOnly ? [1e-3, 1] : [0, 1];
  if (lo === hi) return positiveOnly ? [lo / 2, hi * 2] : [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

/** Prompts assigned to each code at each step: counts[code][i] goes with steps[i]. */
export interface CodeUsage {
  readonly steps: readonly number[];
  readonly counts: readonly (readonly number[])[];
}

/** Per code, per step, the [lower, upper] share band of the stacked areas (codes stacked in order). */
export function stackShares(usage: CodeUsage): [number, number][][] {
  const totals = usage.steps.map((_, i) => usage.counts.reduce((s, c) => s + (c[i] ?? 0), 0));
  const below = usage.steps.map(() => 0);
  return usage.counts.map((c) =>
    usage.steps.map((_, i) => {
      const share = totals[i]! > 0 ? (c[i] ?? 0) / totals[i]! : 0;
      const band: [number, number] = [below[i]!, below[i]! + share];
      below[i] = band[1];
      return band;
    }),
  );
}

export interface EmptiedCode {
  readonly code: number;
  /** First step of the run of zero counts that reaches the latest step. */
  readonly since: number;
}

/** Codes with no prompt at the latest step, and since when. */
export function emptiedCodes(usage: CodeUsage): EmptiedCode[] {
  const last = usage.steps.length - 1;
  if (last < 0) return [];
  const out: EmptiedCode[] = [];
  usage.counts.forEach((c, code) => {
    if ((c[last] ?? 0) > 0) return;
    let i = last;
    while (i > 0 && (c[i - 1] ?? 0) === 0) i--;
    out.push({ code, since: usage.steps[i]! });
  });
  return out;
}

/** One sample image of a code at a step (fixed prompt and seed per code). */
export interface CodeSample {
  readonly code: number;
  readonly step: number;
  /** A data: or app-served URL of the image. */
  readonly url: string;
  readonly prompt: string;
}
