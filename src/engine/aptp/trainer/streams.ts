// Every random draw of a pruning run comes from a stream named by (seed, step, purpose), so the
// draws of step s never depend on how many steps ran before in this process. That is what makes a
// resumed run repeat an uninterrupted one exactly: the only random state a checkpoint needs is the
// step counter. Data order is a fresh seeded permutation of the dataset per epoch.
import { Random } from '../../train/random';

export type StreamPurpose = 'gumbel-predictor' | 'gumbel-codes' | 'latent' | 'noise' | 'timesteps' | 'order';

const PURPOSE_CODE: Readonly<Record<StreamPurpose, number>> = { 'gumbel-predictor': 1, 'gumbel-codes': 2, latent: 3, noise: 4, timesteps: 5, order: 6 };

/** A 32-bit mix of the three numbers (murmur3's finaliser over a running combination). */
function mix(seed: number, index: number, purpose: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const k of [index >>> 0, Math.floor(index / 2 ** 32) >>> 0, purpose]) {
    h = Math.imul(h ^ k, 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

/** The random stream of `purpose` at step (or epoch) `index` of a run seeded with `seed`. */
export function stream(seed: number, index: number, purpose: StreamPurpose): Random {
  return new Random(mix(seed, index, PURPOSE_CODE[purpose]));
}

export function normals(rand: Random, count: number): Float32Array {
  return Float32Array.from({ length: count }, () => rand.normal());
}

/** Dataset indices of the global batch of `step`: consecutive positions of per-epoch permutations. */
export function batchIndices(seed: number, step: number, batch: number, size: number): number[] {
  const out: number[] = [];
  let epoch = -1;
  let order: number[] = [];
  for (let k = 0; k < batch; k++) {
    const position = step * batch + k;
    const e = Math.floor(position / size);
    if (e !== epoch) {
      epoch = e;
      order = stream(seed, e, 'order').permutation(size);
    }
    out.push(order[position % size] ?? 0);
  }
  return out;
}
