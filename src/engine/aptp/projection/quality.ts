// How well a 2-D layout keeps the neighbourhoods of the original space: kNN overlap (the mean share
// of each point's k nearest neighbours that stay its k nearest in 2-D) and trustworthiness (Venna &
// Kaski 2001: penalises 2-D neighbours that were far apart, by how far; 1 is perfect, a random layout
// scores about 0.5). Exact O(n^2 log n): for checking maps of thousands of points, not for serving.
// High-dimensional distances are taken between L2-normalised rows, as the projection does.

function normalised(data: Float32Array, n: number, d: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += data[i * d + k]! ** 2;
    const inv = 1 / (Math.sqrt(s) || 1);
    for (let k = 0; k < d; k++) out[i * d + k] = data[i * d + k]! * inv;
  }
  return out;
}

/** For each point, the other points ordered nearest first. */
function rankings(data: Float32Array, n: number, d: number): Int32Array[] {
  return Array.from({ length: n }, (_, i) => {
    const dist = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += (data[i * d + k]! - data[j * d + k]!) ** 2;
      dist[j] = s;
    }
    const order = Int32Array.from({ length: n }, (_, j) => j).filter((j) => j !== i);
    return order.sort((a, b) => dist[a]! - dist[b]! || a - b);
  });
}

export function knnOverlap(high: Float32Array, dim: number, low: Float32Array, k: number): number {
  const n = low.length / 2;
  const h = rankings(normalised(high, n, dim), n, dim);
  const l = rankings(low, n, 2);
  let shared = 0;
  for (let i = 0; i < n; i++) {
    const near = new Set(h[i]!.subarray(0, k));
    for (const j of l[i]!.subarray(0, k)) if (near.has(j)) shared++;
  }
  return shared / (n * k);
}

export function trustworthiness(high: Float32Array, dim: number, low: Float32Array, k: number): number {
  const n = low.length / 2;
  if (k >= n / 2) throw new RangeError(`trustworthiness needs k < n/2 (k ${k}, n ${n})`);
  const h = rankings(normalised(high, n, dim), n, dim);
  const l = rankings(low, n, 2);
  let penalty = 0;
  for (let i = 0; i < n; i++) {
    const rank = new Int32Array(n);
    h[i]!.forEach((j, r) => (rank[j] = r + 1));
    for (const j of l[i]!.subarray(0, k)) penalty += Math.max(0, rank[j]! - k);
  }
  return 1 - (2 / (n * k * (2 * n - 3 * k - 1))) * penalty;
}
