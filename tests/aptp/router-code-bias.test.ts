// The balancing code biases of the inference routing (router/code-bias.ts): on scores where one code
// is closest to every prompt, the plain argmax sends every prompt there while the biased argmax
// spreads them as Sinkhorn does; the biases make the converged transport plan give every code 1/K;
// the biased argmax is the argmax of that plan computed independently here (multiplicative Sinkhorn
// in float64); margins are the gap to the runner-up; bad shapes and epsilon are refused.
import { describe, expect, it } from 'vitest';
import { biasedArgmax, codeBiases } from '../../src/engine/aptp/router';
import { Random } from '../../src/engine/train/random';

/** N prompts in K clusters; code c matches cluster c, plus `pull` towards code 0 for everyone. */
function skewed(n: number, k: number, pull: number, seed = 3): Float32Array {
  const r = new Random(seed);
  const s = new Float32Array(n * k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) s[i * k + c] = 0.5 + 0.05 * r.normal() + (c === i % k ? 0.1 : 0) + (c === 0 ? pull : 0);
  return s;
}

const counts = (expert: readonly number[], k: number): number[] => {
  const out = new Array<number>(k).fill(0);
  for (const e of expert) out[e]! += 1;
  return out;
};

/** The transport plan's share per code (times K) for biases b: rows normalised to 1/N. */
function codeShares(s: Float32Array, n: number, k: number, bias: readonly number[], eps: number): number[] {
  const share = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    const w = Array.from({ length: k }, (_, c) => Math.exp((s[i * k + c]! + bias[c]!) / eps));
    const z = w.reduce((a, b) => a + b, 0);
    w.forEach((x, c) => { share[c]! += (x / z / n) * k; });
  }
  return share;
}

/** Textbook multiplicative Sinkhorn (float64, many rounds) and its argmax per prompt. */
function sinkhornArgmax(s: Float32Array, n: number, k: number, eps: number, rounds: number): number[] {
  const q = Array.from({ length: n }, (_, i) => Array.from({ length: k }, (_, c) => Math.exp((s[i * k + c]! - 1) / eps)));
  for (let t = 0; t < rounds; t++) {
    for (let c = 0; c < k; c++) {
      const col = q.reduce((a, row) => a + row[c]!, 0);
      for (const row of q) row[c] = row[c]! / col / k;
    }
    for (const row of q) {
      const sum = row.reduce((a, b) => a + b, 0);
      row.forEach((x, c) => { row[c] = x / sum / n; });
    }
  }
  return q.map((row) => row.indexOf(Math.max(...row)));
}

describe('balanced inference routing', () => {
  const n = 90;
  const k = 3;
  const eps = 0.05;

  it('spreads prompts that the plain argmax sends to one code', () => {
    const s = skewed(n, k, 0.3);
    expect(counts(biasedArgmax(s, n, k, [0, 0, 0]).expert, k)).toEqual([n, 0, 0]);
    const bias = codeBiases(s, n, k, { epsilon: eps });
    expect(Math.abs(bias.reduce((a, b) => a + b, 0))).toBeLessThan(1e-7);
    expect(bias[0]).toBeLessThan(-0.15);
    for (const share of codeShares(s, n, k, bias, eps)) expect(share).toBeCloseTo(1, 5);
    const { expert } = biasedArgmax(s, n, k, bias);
    for (const c of counts(expert, k)) expect(c).toBeGreaterThanOrEqual(n / k - 3);
    // the clusters come back: most prompts go to their own cluster's code
    expect(expert.filter((e, i) => e === i % k).length).toBeGreaterThan(0.8 * n);
  });

  it('is the argmax of the converged Sinkhorn plan', () => {
    const s = skewed(n, k, 0.05, 11);
    const bias = codeBiases(s, n, k, { epsilon: eps, tolerance: 1e-10 });
    expect(biasedArgmax(s, n, k, bias).expert).toEqual(sinkhornArgmax(s, n, k, eps, 2000));
  });

  it('leaves balanced scores alone and gives margins to the runner-up', () => {
    const s = Float32Array.of(0.9, 0.1, 0.1, 0.9);
    const bias = codeBiases(s, 2, 2, { epsilon: eps });
    for (const b of bias) expect(Math.abs(b)).toBeLessThan(1e-9);
    const routed = biasedArgmax(s, 2, 2, [0.1, -0.1]);
    expect(routed.expert).toEqual([0, 1]);
    expect(routed.margin[0]).toBeCloseTo(1.0, 6);
    expect(routed.margin[1]).toBeCloseTo(0.6, 6);
    expect(bias.every((b) => Math.fround(b) === b)).toBe(true);
    expect(biasedArgmax(Float32Array.of(0.4, 0.4), 1, 2, [0, 0]).expert).toEqual([0]);
  });

  it('has nothing to balance with no prompts or one code, and refuses bad input', () => {
    expect(codeBiases(new Float32Array(0), 0, 4, { epsilon: eps })).toEqual([0, 0, 0, 0]);
    expect(codeBiases(Float32Array.of(0.3, 0.7), 2, 1, { epsilon: eps })).toEqual([0]);
    expect(biasedArgmax(Float32Array.of(0.3, 0.7), 2, 1, [0]).margin).toEqual([0, 0]);
    expect(() => codeBiases(new Float32Array(5), 2, 3, { epsilon: eps })).toThrow(/5 values, not 2 prompts x 3 codes/);
    expect(() => codeBiases(new Float32Array(6), 2, 3, { epsilon: 0 })).toThrow(/epsilon must be positive/);
    expect(() => biasedArgmax(new Float32Array(6), 2, 3, [0, 0])).toThrow(/3 biases/);
  });
});
