// The router's trainable parameters, their graph-input names and their initialisation (APTP.md
// "Router"): the predictor is one linear layer per width group plus one for all depth gates, stored
// side by side as one [embedDim, L] matrix (x @ W, so each group's block is the transpose of a
// PyTorch Linear weight) with orthogonal blocks and a zero bias; the codebook is K orthogonal codes
// [K, L]; the single-architecture baseline is one standard-normal vector [1, L].
import { EngineError } from '../../core/errors';
import { Random } from '../../train/random';
import type { RouterSpec } from './spec';

export const ROUTER_PARAMS = {
  predictorWeight: 'router/predictor.weight',
  predictorBias: 'router/predictor.bias',
  codebook: 'router/codebook',
  arch: 'router/arch',
} as const;

export interface RouterParamTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/** Parameter names and shapes of a spec, in a fixed order (the optimizer and checkpoints use it). */
export function routerParamShapes(spec: RouterSpec): { name: string; dims: number[] }[] {
  const l = spec.layout.vectorLength;
  if (spec.kind === 'single') return [{ name: ROUTER_PARAMS.arch, dims: [1, l] }];
  return [
    { name: ROUTER_PARAMS.predictorWeight, dims: [spec.embedDim, l] },
    { name: ROUTER_PARAMS.predictorBias, dims: [l] },
    { name: ROUTER_PARAMS.codebook, dims: [spec.experts, l] },
  ];
}

/** Fresh parameters from a seed (the same seed gives the same parameters everywhere). */
export function initRouterParams(spec: RouterSpec, seed: number): RouterParamTensor[] {
  const rand = new Random(seed);
  const l = spec.layout.vectorLength;
  if (spec.kind === 'single') return [{ name: ROUTER_PARAMS.arch, dims: [1, l], data: Float32Array.from({ length: l }, () => rand.normal()) }];
  const e = spec.embedDim;
  const weight = new Float32Array(e * l);
  const blocks: [number, number][] = [...spec.tables.groups.map(([o, w]) => [o, w] as [number, number]), [spec.tables.width, spec.tables.depth]];
  for (const [offset, width] of blocks) {
    if (width === 0) continue;
    const q = orthogonal(width, e, rand);
    for (let r = 0; r < width; r++) for (let c = 0; c < e; c++) weight[c * l + offset + r] = q[r * e + c] ?? 0;
  }
  const codes = orthogonal(spec.experts, l, rand);
  return [
    { name: ROUTER_PARAMS.predictorWeight, dims: [e, l], data: weight },
    { name: ROUTER_PARAMS.predictorBias, dims: [l], data: new Float32Array(l) },
    { name: ROUTER_PARAMS.codebook, dims: [spec.experts, l], data: Float32Array.from(codes) },
  ];
}

/**
 * A [rows, cols] matrix with orthonormal rows (rows <= cols) or columns (rows > cols), as PyTorch's
 * nn.init.orthogonal_: QR of a standard-normal matrix (its tall orientation), Q's signs fixed so
 * that R has a positive diagonal (modified Gram-Schmidt gives exactly that Q).
 */
export function orthogonal(rows: number, cols: number, rand: Random): Float64Array {
  const [n, m] = rows < cols ? [cols, rows] : [rows, cols];
  const a = Float64Array.from({ length: rows * cols }, () => rand.normal());
  // column j of the tall n x m matrix: entries a[i*m + j] (rows >= cols) or the transpose's
  const at = (i: number, j: number): number => (rows < cols ? a[j * cols + i] : a[i * cols + j]) ?? 0;
  const q = Array.from({ length: m }, (_, j) => Float64Array.from({ length: n }, (_, i) => at(i, j)));
  for (let j = 0; j < m; j++) {
    const v = q[j] as Float64Array;
    for (let k = 0; k < j; k++) {
      const u = q[k] as Float64Array;
      let dot = 0;
      for (let i = 0; i < n; i++) dot += (u[i] ?? 0) * (v[i] ?? 0);
      for (let i = 0; i < n; i++) v[i] = (v[i] ?? 0) - dot * (u[i] ?? 0);
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += (v[i] ?? 0) ** 2;
    norm = Math.sqrt(norm);
    if (!(norm > 1e-12)) throw new EngineError('invalid-argument', 'Orthogonal init drew a rank-deficient matrix; use another seed.', { rows, cols });
    for (let i = 0; i < n; i++) v[i] = (v[i] ?? 0) / norm;
  }
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = (rows < cols ? q[r]?.[c] : q[c]?.[r]) ?? 0;
  return out;
}
