// Balanced inference routing. In training, Sinkhorn optimal transport spreads each global batch
// over the K codes; a bundle routes one prompt at a time, and the plain argmax of the cosine
// similarities sends most prompts to whichever code is close to every prompt (on the built-in world
// after the demo's 40 steps: all 200 prompts to a 91-MMACs expert, against a 64-MMACs budget that the
// training assignments met). Sinkhorn's assignment is argmax_k (S_ik/eps + log c_k), with c the code
// potentials that balance the batch. Computed once over all of a run's prompts (log-domain Sinkhorn
// with uniform marginals, run to convergence), eps*log c_k is a per-code bias in score units that a
// single prompt's argmax adds: deterministic, noise-free, K numbers a bundle ships beside the router.
import { EngineError } from '../../core/errors';

export interface CodeBiasOptions {
  /** Sinkhorn's entropy weight (the run's, 0.05 by default). */
  readonly epsilon: number;
  /** Stop when every code's share of the plan is within this of 1/K, relative (default 1e-6). */
  readonly tolerance?: number;
  readonly maxIterations?: number;
}

/**
 * Per-code biases [K] (score units, mean 0, float32 values as the router graph holds them) that balance the prompts of `scores` [N, K] (row-major
 * cosine similarities) over the codes the way Sinkhorn does: argmax_k (S_ik + bias_k) is the argmax
 * of the converged transport plan. All zeros when there are no prompts or one code.
 */
export function codeBiases(scores: ArrayLike<number>, n: number, k: number, options: CodeBiasOptions): number[] {
  if (scores.length !== n * k) throw new EngineError('invalid-argument', `Routing scores hold ${scores.length} values, not ${n} prompts x ${k} codes.`, { n, k });
  if (!(options.epsilon > 0)) throw new EngineError('invalid-argument', `Sinkhorn's epsilon must be positive (got ${options.epsilon}).`, { epsilon: options.epsilon });
  if (n === 0 || k === 1) return new Array<number>(k).fill(0);
  const tolerance = options.tolerance ?? 1e-6;
  const maxIterations = options.maxIterations ?? 1000;
  const logits = Float64Array.from(scores, (s) => s / options.epsilon);
  const rowPotential = new Float64Array(n);
  const codePotential = new Float64Array(k);
  const logN = Math.log(n);
  const logK = Math.log(k);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    // codes: each gets 1/K of the plan
    for (let c = 0; c < k; c++) codePotential[c] = -logK - logSumExp(n, (i) => logits[i * k + c]! + rowPotential[i]!);
    // prompts: each row sums to 1/N
    for (let i = 0; i < n; i++) rowPotential[i] = -logN - logSumExp(k, (c) => logits[i * k + c]! + codePotential[c]!);
    let worst = 0;
    for (let c = 0; c < k; c++) {
      const share = Math.exp(logSumExp(n, (i) => logits[i * k + c]! + rowPotential[i]! + codePotential[c]!) + logK);
      worst = Math.max(worst, Math.abs(share - 1));
    }
    if (worst <= tolerance) break;
  }
  const mean = codePotential.reduce((a, b) => a + b, 0) / k;
  return Array.from(codePotential, (g) => Math.fround(options.epsilon * (g - mean)));
}

/**
 * argmax_k (S_ik + bias_k) per prompt and its margin over the runner-up (0 for one code), in float32
 * arithmetic and with the first of ties, exactly as the inference router's Add and ArgMax give it.
 */
export function biasedArgmax(scores: ArrayLike<number>, n: number, k: number, bias: readonly number[]): { expert: number[]; margin: number[] } {
  if (scores.length !== n * k || bias.length !== k) throw new EngineError('invalid-argument', `Routing needs ${n} x ${k} scores and ${k} biases (got ${scores.length} and ${bias.length}).`, { n, k });
  const expert: number[] = [];
  const margin: number[] = [];
  for (let i = 0; i < n; i++) {
    const at = (c: number): number => Math.fround(Math.fround(scores[i * k + c]!) + Math.fround(bias[c]!));
    let best = 0;
    let second = -Infinity;
    for (let c = 1; c < k; c++) {
      const v = at(c);
      const top = at(best);
      if (v > top) {
        second = top;
        best = c;
      } else if (v > second) second = v;
    }
    expert.push(best);
    margin.push(k > 1 ? at(best) - second : 0);
  }
  return { expert, margin };
}

function logSumExp(count: number, at: (j: number) => number): number {
  let max = -Infinity;
  for (let j = 0; j < count; j++) max = Math.max(max, at(j));
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let j = 0; j < count; j++) sum += Math.exp(at(j) - max);
  return max + Math.log(sum);
}
