// The Fréchet distance between two sets of feature vectors (the world's judge features): the
// squared distance of the means plus tr(S1 + S2 - 2 (S1 S2)^(1/2)), with tr((S1 S2)^(1/2)) computed
// as the sum of square roots of the eigenvalues of S1^(1/2) S2 S1^(1/2) (symmetric, so Jacobi
// rotations suffice). An offline stand-in for FID (which uses Inception features), not FID.
import { EngineError } from '../core/errors';

type Matrix = Float64Array[];

function stats(features: readonly Float32Array[]): { mean: Float64Array; cov: Matrix } {
  const n = features.length;
  const d = features[0]?.length ?? 0;
  const mean = new Float64Array(d);
  for (const f of features) for (let i = 0; i < d; i++) mean[i] = (mean[i] as number) + (f[i] as number) / n;
  const cov: Matrix = Array.from({ length: d }, () => new Float64Array(d));
  for (const f of features) {
    for (let i = 0; i < d; i++) {
      const a = (f[i] as number) - (mean[i] as number);
      const row = cov[i] as Float64Array;
      for (let j = i; j < d; j++) row[j] = (row[j] as number) + (a * ((f[j] as number) - (mean[j] as number))) / (n - 1);
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) (cov[i] as Float64Array)[j] = (cov[j] as Float64Array)[i] as number;
  return { mean, cov };
}

/** Eigenvalues and eigenvectors (columns of v) of a symmetric matrix, by cyclic Jacobi rotations. */
export function symmetricEigen(m: Matrix): { values: Float64Array; vectors: Matrix } {
  const n = m.length;
  const a = m.map((r) => Float64Array.from(r));
  const v: Matrix = Array.from({ length: n }, (_, i) => Float64Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  const at = (i: number, j: number): number => (a[i] as Float64Array)[j] as number;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += at(i, j) ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = at(p, q);
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (at(q, q) - at(p, p)) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const [akp, akq] = [at(k, p), at(k, q)];
          (a[k] as Float64Array)[p] = c * akp - s * akq;
          (a[k] as Float64Array)[q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const [apk, aqk] = [at(p, k), at(q, k)];
          (a[p] as Float64Array)[k] = c * apk - s * aqk;
          (a[q] as Float64Array)[k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const row = v[k] as Float64Array;
          const [vkp, vkq] = [row[p] as number, row[q] as number];
          row[p] = c * vkp - s * vkq;
          row[q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from({ length: n }, (_, i) => at(i, i)), vectors: v };
}

function multiply(x: Matrix, y: Matrix): Matrix {
  const n = x.length;
  return Array.from({ length: n }, (_, i) => {
    const row = new Float64Array(n);
    const xi = x[i] as Float64Array;
    for (let k = 0; k < n; k++) {
      const xik = xi[k] as number;
      if (xik === 0) continue;
      const yk = y[k] as Float64Array;
      for (let j = 0; j < n; j++) row[j] = (row[j] as number) + xik * (yk[j] as number);
    }
    return row;
  });
}

function sqrtPsd(m: Matrix): Matrix {
  const { values, vectors } = symmetricEigen(m);
  const n = m.length;
  const scaled = vectors.map((row) => Float64Array.from(row, (x, j) => x * Math.sqrt(Math.max(0, values[j] as number))));
  const vt = Array.from({ length: n }, (_, i) => Float64Array.from({ length: n }, (_, j) => (vectors[j] as Float64Array)[i] as number));
  return multiply(scaled, vt);
}

/** Fréchet distance between the Gaussians fitted to two feature sets (each needs at least 2 vectors). */
export function frechetDistance(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  if (a.length < 2 || b.length < 2) throw new EngineError('invalid-argument', `A Fréchet distance needs at least 2 images on each side (got ${a.length} and ${b.length}).`, {});
  const [sa, sb] = [stats(a), stats(b)];
  const root = sqrtPsd(sa.cov);
  const inner = multiply(multiply(root, sb.cov), root);
  const traceSqrt = symmetricEigen(inner.map((r, i) => Float64Array.from(r, (x, j) => (x + ((inner[j] as Float64Array)[i] as number)) / 2))).values.reduce((s, v) => s + Math.sqrt(Math.max(0, v)), 0);
  let dist = 0;
  for (let i = 0; i < sa.mean.length; i++) dist += ((sa.mean[i] as number) - (sb.mean[i] as number)) ** 2 + ((sa.cov[i] as Float64Array)[i] as number) + ((sb.cov[i] as Float64Array)[i] as number);
  return dist - 2 * traceSqrt;
}
