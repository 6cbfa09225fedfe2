// From the engine's decimated metric series (runMetrics: per bucket of steps the mean, min and max)
// to what the training charts draw: which recorded names are loss terms, code counts or the
// resource ratio; line series with their bucket envelope as a band; the resource ratio's mean with
// the band from its per-step min and max; code usage for the stacked areas; and the differences
// between two runs' configurations.
import type { CodeUsage, ChartSeries } from './series-math';

export interface MetricPoint {
  readonly step: number;
  readonly value: number;
  readonly min: number;
  readonly max: number;
}

export interface MetricSeries {
  readonly name: string;
  readonly points: readonly MetricPoint[];
  readonly totalPoints: number;
}

const CODE = /^code\/(\d+)$/;

/** The recorded names a run's charts show, grouped: loss terms (total first), code counts by code. */
export function chartNames(names: readonly string[]): { losses: string[]; codes: string[]; lr: boolean; rho: boolean } {
  const losses = names.filter((n) => n.startsWith('loss/')).sort((a, b) => (a === 'loss/total' ? -1 : b === 'loss/total' ? 1 : a.localeCompare(b)));
  const codes = names.filter((n) => CODE.test(n)).sort((a, b) => codeOf(a) - codeOf(b));
  return { losses, codes, lr: names.includes('lr'), rho: names.includes('rho/mean') };
}

function codeOf(name: string): number {
  return Number(CODE.exec(name)?.[1] ?? -1);
}

/** One line with the min/max of each bucket as its band (a band of zero width when undecimated). */
export function lineSeries(series: MetricSeries | undefined, colour: string, label = series?.name ?? ''): ChartSeries {
  const points = series?.points ?? [];
  const decimated = points.some((p) => p.min !== p.max);
  return {
    name: label,
    colour,
    steps: points.map((p) => p.step),
    values: points.map((p) => p.value),
    ...(decimated ? { lower: points.map((p) => p.min), upper: points.map((p) => p.max) } : {}),
  };
}

/**
 * The resource ratio: the mean over each step's global batch, with the band from the lowest
 * per-step minimum to the highest per-step maximum in each bucket (steps must line up: the trainer
 * records them together; a series that does not line up draws no band).
 */
export function rhoSeries(byName: ReadonlyMap<string, MetricSeries>, colour: string, label = 'rho/mean'): ChartSeries {
  const mean = byName.get('rho/mean')?.points ?? [];
  const lo = byName.get('rho/min')?.points ?? [];
  const hi = byName.get('rho/max')?.points ?? [];
  const aligned = lo.length === mean.length && hi.length === mean.length && mean.every((p, i) => lo[i]!.step === p.step && hi[i]!.step === p.step);
  return {
    name: label,
    colour,
    steps: mean.map((p) => p.step),
    values: mean.map((p) => p.value),
    ...(aligned && mean.length > 0 ? { lower: lo.map((p) => p.min), upper: hi.map((p) => p.max) } : {}),
  };
}

/** Prompts per code per step, from the code/k series (bucket means when decimated). */
export function codeUsage(codes: readonly MetricSeries[]): CodeUsage {
  const first = codes[0]?.points ?? [];
  const steps = first.map((p) => p.step);
  const counts = codes.map((s) => {
    const at = new Map(s.points.map((p) => [p.step, p.value]));
    return steps.map((step) => at.get(step) ?? 0);
  });
  return { steps, counts };
}

export interface ConfigDifference {
  readonly key: string;
  readonly a: string;
  readonly b: string;
}

/** The configuration keys whose values differ between two runs (nested values compared as JSON). */
export function configDiff(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): ConfigDifference[] {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const show = (v: unknown): string => (v === undefined ? '–' : typeof v === 'string' ? v : JSON.stringify(v));
  return keys.flatMap((key) => {
    const [va, vb] = [show(a[key]), show(b[key])];
    return va === vb ? [] : [{ key, a: va, b: vb }];
  });
}
