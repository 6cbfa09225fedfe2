// APTP's contrastive loss (APTP.md "Losses"): prompts that are alike should get architectures that
// are alike. With A the L2-normalised routing vectors and P the L2-normalised prompt embeddings,
// BCE(softmax(A A^T / tauA), softmax(P P^T / tauP)) averaged over all pairs, as torch's
// binary_cross_entropy (log clamped at -100). The prompt side is a constant target.
import type { GraphBuilder, Value } from '../../ir';
import { l2Normalize } from '../router/routing';

export interface ContrastiveTemperatures {
  readonly arch: number;
  readonly prompt: number;
}

export const CONTRASTIVE_TEMPERATURES: ContrastiveTemperatures = { arch: 0.03, prompt: 0.03 };

/** Scalar loss from routing vectors [N, L] and prompt embeddings [N, E]. */
export function contrastiveLoss(b: GraphBuilder, arch: Value, prompts: Value, t: ContrastiveTemperatures = CONTRASTIVE_TEMPERATURES): Value {
  return b.scope('contrastive', () => {
    const pairs = (v: Value, tau: number): Value => {
      const u = l2Normalize(b, v);
      return b.softmax(b.div(b.matmul(u, b.transpose(u, [1, 0])), tau), 1);
    };
    const x = pairs(arch, t.arch);
    const target = pairs(prompts, t.prompt);
    const bce = b.add(b.mul(target, clampedLog(b, x)), b.mul(b.sub(1, target), clampedLog(b, b.sub(1, x))));
    return b.neg(b.reduceMean(bce, undefined, false));
  });
}

/** max(log(max(x, tiny)), -100): torch's BCE log clamp, finite (zero gradient) at x = 0. */
function clampedLog(b: GraphBuilder, x: Value): Value {
  const tiny = x.type.dtype === 'float64' ? 2.2250738585072014e-308 : 1.1754943508222875e-38;
  return b.max(b.log(b.max(x, tiny)), -100);
}
