// Tiny TypeScript reference implementations (row-major, plain number arrays) that the numerics tests
// compare onnxruntime's results against: matmul, conv / conv-transpose 2-D, softmax, norms, erf.

/** erf to ~1e-12 (series for small |x|, continued fraction tail otherwise). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let sum = ax;
    let term = ax;
    for (let n = 1; n < 80; n++) {
      term *= (-ax * ax) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (ax + f);
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  return Math.sign(x) * (1 - erfc);
}

export function matmul(a: readonly number[], b: readonly number[], m: number, k: number, n: number): number[] {
  const out = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) out[i * n + j]! += a[i * k + p]! * b[p * n + j]!;
  return out;
}

export interface Conv2dSpec {
  n: number; c: number; h: number; w: number;
  m: number; kh: number; kw: number;
  stride: number; pad: number; dilation: number; group: number;
}

export function conv2d(x: readonly number[], wt: readonly number[], bias: readonly number[] | undefined, s: Conv2dSpec): { out: number[]; oh: number; ow: number } {
  const oh = Math.floor((s.h + 2 * s.pad - s.dilation * (s.kh - 1) - 1) / s.stride) + 1;
  const ow = Math.floor((s.w + 2 * s.pad - s.dilation * (s.kw - 1) - 1) / s.stride) + 1;
  const cg = s.c / s.group;
  const mg = s.m / s.group;
  const out = new Array<number>(s.n * s.m * oh * ow).fill(0);
  for (let n = 0; n < s.n; n++) for (let m = 0; m < s.m; m++) for (let y = 0; y < oh; y++) for (let x0 = 0; x0 < ow; x0++) {
    let acc = bias ? bias[m]! : 0;
    const g = Math.floor(m / mg);
    for (let ci = 0; ci < cg; ci++) for (let ky = 0; ky < s.kh; ky++) for (let kx = 0; kx < s.kw; kx++) {
      const iy = y * s.stride - s.pad + ky * s.dilation;
      const ix = x0 * s.stride - s.pad + kx * s.dilation;
      if (iy < 0 || ix < 0 || iy >= s.h || ix >= s.w) continue;
      const c = g * cg + ci;
      acc += x[((n * s.c + c) * s.h + iy) * s.w + ix]! * wt[((m * cg + ci) * s.kh + ky) * s.kw + kx]!;
    }
    out[((n * s.m + m) * oh + y) * ow + x0] = acc;
  }
  return { out, oh, ow };
}

/** ConvTranspose 2-D, group 1, weight [C, M, kh, kw]. */
export function convTranspose2d(x: readonly number[], wt: readonly number[], s: Omit<Conv2dSpec, 'group' | 'dilation'>): { out: number[]; oh: number; ow: number } {
  const oh = (s.h - 1) * s.stride - 2 * s.pad + s.kh;
  const ow = (s.w - 1) * s.stride - 2 * s.pad + s.kw;
  const out = new Array<number>(s.n * s.m * oh * ow).fill(0);
  for (let n = 0; n < s.n; n++) for (let c = 0; c < s.c; c++) for (let y = 0; y < s.h; y++) for (let x0 = 0; x0 < s.w; x0++) {
    const v = x[((n * s.c + c) * s.h + y) * s.w + x0]!;
    for (let m = 0; m < s.m; m++) for (let ky = 0; ky < s.kh; ky++) for (let kx = 0; kx < s.kw; kx++) {
      const oy = y * s.stride - s.pad + ky;
      const ox = x0 * s.stride - s.pad + kx;
      if (oy < 0 || ox < 0 || oy >= oh || ox >= ow) continue;
      out[((n * s.m + m) * oh + oy) * ow + ox]! += v * wt[((c * s.m + m) * s.kh + ky) * s.kw + kx]!;
    }
  }
  return { out, oh, ow };
}

/** Applies `fn` to each contiguous row of length `len`. */
export function rows(x: readonly number[], len: number, fn: (row: number[]) => number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < x.length; i += len) out.push(...fn(x.slice(i, i + len)));
  return out;
}

export function softmax(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

export function normalize(row: number[], eps: number): number[] {
  const mean = row.reduce((a, b) => a + b, 0) / row.length;
  const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / row.length;
  return row.map((v) => (v - mean) / Math.sqrt(variance + eps));
}
