// Seeded random numbers for training (weight init, synthetic data, shuffling) and for tests: the
// same seed gives the same stream on every platform (mulberry32 + Box-Muller), so a run repeats.
import { EngineError } from '../core/errors';

export interface RandomState {
  readonly state: number;
  readonly spare: number | null;
}

export class Random {
  private state: number;
  private spare: number | undefined;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new EngineError('invalid-argument', `A random seed must be an integer (got ${seed}).`, { seed });
    this.state = seed >>> 0;
  }

  /** The generator's whole state (for checkpoints): the stream continues exactly after `Random.restore`. */
  save(): RandomState {
    return { state: this.state, spare: this.spare ?? null };
  }

  static restore(saved: RandomState): Random {
    const r = new Random(0);
    r.state = saved.state >>> 0;
    r.spare = saved.spare ?? undefined;
    return r;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  /** Standard normal. */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const u = 1 - this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [p[i], p[j]] = [p[j] as number, p[i] as number];
    }
    return p;
  }

  /** `count` normals scaled by `std` (plus `mean`). */
  normals(count: number, std = 1, mean = 0): number[] {
    return Array.from({ length: count }, () => mean + std * this.normal());
  }

  uniforms(count: number, lo = 0, hi = 1): number[] {
    return Array.from({ length: count }, () => this.uniform(lo, hi));
  }
}
