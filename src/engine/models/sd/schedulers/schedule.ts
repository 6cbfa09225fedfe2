// The discrete noise schedule every scheduler starts from: betas (linear, scaled_linear,
// squaredcos_cap_v2 or given), optional zero-terminal-SNR rescaling, alphas and their cumulative
// product. Values are float32 computed the way PyTorch computes them (linspace, cumprod accumulating
// in float64), so timesteps and coefficients match diffusers bit for bit where that is possible.
import type { NoiseScheduleOptions } from './config';

/** float32 rounding, the precision diffusers keeps its schedule tensors in. */
export const f32 = Math.fround;

/** torch.linspace(start, end, n, dtype=float32): first half from start, second half from end. */
export function linspaceF32(start: number, end: number, n: number): Float32Array {
  const out = new Float32Array(n);
  if (n === 1) {
    out[0] = start;
    return out;
  }
  const s = f32(start);
  const e = f32(end);
  const step = f32(f32(e - s) / (n - 1));
  const half = Math.floor(n / 2);
  for (let i = 0; i < n; i++) out[i] = i < half ? s + step * i : e - step * (n - 1 - i);
  return out;
}

/** numpy.linspace(start, end, n) in float64. */
export function linspace(start: number, end: number, n: number): number[] {
  if (n === 1) return [start];
  const step = (end - start) / (n - 1);
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? end : start + i * step));
}

/** Cosine alpha-bar betas of Nichol & Dhariwal, capped at 0.999, computed in float64. */
function squaredCosBetas(n: number): Float32Array {
  const alphaBar = (t: number): number => Math.cos(((t + 0.008) / 1.008) * Math.PI / 2) ** 2;
  return Float32Array.from({ length: n }, (_, i) => Math.min(1 - alphaBar((i + 1) / n) / alphaBar(i / n), 0.999));
}

/** torch.cumprod over float32 values: the running product is kept in float64, each output rounded. */
export function cumprodF32(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  let acc = 1;
  for (let i = 0; i < values.length; i++) {
    acc *= values[i] as number;
    out[i] = acc;
  }
  return out;
}

/** Rescales betas so the last timestep has zero SNR (Lin et al. 2023, algorithm 1), in float32. */
function rescaleZeroTerminalSnr(betas: Float32Array): Float32Array {
  const cumprod = cumprodF32(betas.map((b) => f32(1 - b)));
  const sqrtBar = cumprod.map((a) => f32(Math.sqrt(a)));
  const first = sqrtBar[0] as number;
  const last = sqrtBar[sqrtBar.length - 1] as number;
  const scale = f32(first / f32(first - last));
  const bar = sqrtBar.map((v) => {
    const shifted = f32(f32(v - last) * scale);
    return f32(shifted * shifted);
  });
  return bar.map((v, i) => f32(1 - (i === 0 ? v : f32(v / (bar[i - 1] as number)))));
}

export function betasFor(o: NoiseScheduleOptions): Float32Array {
  let betas: Float32Array;
  if (o.trainedBetas) betas = Float32Array.from(o.trainedBetas);
  else if (o.betaSchedule === 'linear') betas = linspaceF32(o.betaStart, o.betaEnd, o.numTrainTimesteps);
  else if (o.betaSchedule === 'scaled_linear') {
    betas = linspaceF32(Math.sqrt(o.betaStart), Math.sqrt(o.betaEnd), o.numTrainTimesteps).map((b) => f32(b * b));
  } else betas = squaredCosBetas(o.numTrainTimesteps);
  return o.rescaleBetasZeroSnr ? rescaleZeroTerminalSnr(betas) : betas;
}

/** The schedule tables shared by training and sampling. */
export interface NoiseTables {
  readonly betas: Float32Array;
  readonly alphas: Float32Array;
  /** alpha-bar_t; with zero-SNR rescaling the last entry is 2^-24 as diffusers sets it (not for DDIM). */
  readonly alphasCumprod: Float32Array;
}

export function noiseTables(o: NoiseScheduleOptions, clampTerminal: boolean): NoiseTables {
  const betas = betasFor(o);
  const alphas = betas.map((b) => f32(1 - b));
  const alphasCumprod = cumprodF32(alphas);
  if (o.rescaleBetasZeroSnr && clampTerminal) alphasCumprod[alphasCumprod.length - 1] = 2 ** -24;
  return { betas, alphas, alphasCumprod };
}

/** sigma_t = sqrt((1 - alpha-bar_t) / alpha-bar_t) in float32, ascending in t. */
export function sigmasFromAlphasCumprod(alphasCumprod: Float32Array): Float32Array {
  return alphasCumprod.map((a) => f32(Math.sqrt(f32(f32(1 - a) / a))));
}

/** numpy.interp at integer or fractional positions over xp = 0..n-1. */
export function interpAt(positions: readonly number[], table: Float32Array): number[] {
  const last = table.length - 1;
  return positions.map((x) => {
    if (x <= 0) return table[0] as number;
    if (x >= last) return table[last] as number;
    const lo = Math.floor(x);
    const w = x - lo;
    const a = table[lo] as number;
    const b = table[lo + 1] as number;
    return w === 0 ? a : a + (b - a) * w;
  });
}
