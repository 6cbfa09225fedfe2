// AdamW (Loshchilov & Hutter), exactly as torch.optim.AdamW computes it: decoupled weight decay
// p <- p (1 - lr wd), moments m <- b1 m + (1-b1) g, v <- b2 v + (1-b2) g^2, and the bias-corrected
// step p <- p - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps). The step-dependent factors
// are fed as scalars, so the graph is the same for every step.
import { EngineError } from '../core/errors';
import type { GraphBuilder, Value } from '../ir';
import { hyperInput, type Optimizer, type ParamUpdate } from './optimizer';

export interface AdamWOptions {
  readonly lr?: number;
  readonly betas?: readonly [number, number];
  readonly eps?: number;
  readonly weightDecay?: number;
}

export function adamW(options: AdamWOptions = {}): Optimizer {
  const lr = options.lr ?? 1e-3;
  const [beta1, beta2] = options.betas ?? [0.9, 0.999];
  const eps = options.eps ?? 1e-8;
  const weightDecay = options.weightDecay ?? 1e-2;
  checkAdamW(lr, beta1, beta2, eps, weightDecay);
  return {
    kind: 'adamw',
    lr,
    stateNames: ['exp_avg', 'exp_avg_sq'],
    hyperNames: ['decay', 'step_size', 'sqrt_bc2'],
    hyperValues: (step, rate) => ({
      decay: 1 - rate * weightDecay,
      step_size: rate / (1 - beta1 ** step),
      sqrt_bc2: Math.sqrt(1 - beta2 ** step),
    }),
    update: (b: GraphBuilder, p: Value, g: Value, state: readonly Value[], hyper): ParamUpdate => {
      const [m, v] = state as [Value, Value];
      const m1 = b.add(b.mul(m, beta1), b.mul(g, 1 - beta1));
      const v1 = b.add(b.mul(v, beta2), b.mul(b.mul(g, g), 1 - beta2));
      const denom = b.add(b.div(b.sqrt(v1), hyperInput(hyper, 'sqrt_bc2')), eps);
      const stepDir = b.mul(b.div(m1, denom), hyperInput(hyper, 'step_size'));
      return { param: b.sub(b.mul(p, hyperInput(hyper, 'decay')), stepDir), state: [m1, v1] };
    },
  };
}

function checkAdamW(lr: number, beta1: number, beta2: number, eps: number, weightDecay: number): void {
  const ok = lr > 0 && beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0 && weightDecay >= 0;
  if (!ok) {
    throw new EngineError('invalid-argument', `AdamW needs lr > 0, betas in [0, 1), eps > 0 and weight decay >= 0 (got lr ${lr}, betas [${beta1}, ${beta2}], eps ${eps}, weight decay ${weightDecay}).`, { lr, beta1, beta2, eps, weightDecay });
  }
}
