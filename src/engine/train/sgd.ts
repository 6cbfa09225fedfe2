// SGD as torch.optim.SGD computes it: g <- g + wd p; with momentum mu the buffer is
// buf <- mu buf + (1 - dampening) g (on the first step buf <- g, so dampening is fed as a scalar
// that is 0 at step 1), the direction is buf, or g + mu buf with Nesterov; then p <- p - lr d.
import { EngineError } from '../core/errors';
import type { GraphBuilder, Value } from '../ir';
import { hyperInput, type Optimizer, type ParamUpdate } from './optimizer';

export interface SgdOptions {
  readonly lr: number;
  readonly momentum?: number;
  readonly dampening?: number;
  readonly weightDecay?: number;
  readonly nesterov?: boolean;
}

export function sgd(options: SgdOptions): Optimizer {
  const { lr, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false } = options;
  if (!(lr > 0) || momentum < 0 || weightDecay < 0 || (nesterov && (momentum <= 0 || dampening !== 0))) {
    throw new EngineError('invalid-argument', `SGD needs lr > 0, momentum >= 0, weight decay >= 0, and Nesterov only with momentum > 0 and no dampening (got lr ${lr}, momentum ${momentum}, dampening ${dampening}, weight decay ${weightDecay}, nesterov ${nesterov}).`, { lr, momentum, dampening, weightDecay, nesterov });
  }
  const withMomentum = momentum > 0;
  return {
    kind: 'sgd',
    lr,
    stateNames: withMomentum ? ['momentum_buffer'] : [],
    hyperNames: withMomentum ? ['lr', 'keep'] : ['lr'],
    hyperValues: (step, rate): Record<string, number> => (withMomentum ? { lr: rate, keep: step === 1 ? 1 : 1 - dampening } : { lr: rate }),
    update: (b: GraphBuilder, p: Value, g: Value, state: readonly Value[], hyper): ParamUpdate => {
      const grad = weightDecay > 0 ? b.add(g, b.mul(p, weightDecay)) : g;
      const lrValue = hyperInput(hyper, 'lr');
      if (!withMomentum) return { param: b.sub(p, b.mul(grad, lrValue)), state: [] };
      const [buf] = state as [Value];
      const buf1 = b.add(b.mul(buf, momentum), b.mul(grad, hyperInput(hyper, 'keep')));
      const dir = nesterov ? b.add(grad, b.mul(buf1, momentum)) : buf1;
      return { param: b.sub(p, b.mul(dir, lrValue)), state: [buf1] };
    },
  };
}
