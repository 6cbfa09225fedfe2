// Gradients for the router graphs: the one place aptp/router and aptp/losses call autodiff.
// `differentiate` continues the open builder with d(loss)/d(wrt) (outputs 'grad/<name>');
// stop-gradients (autodiff's stopGradient, e.g. the straight-through hard gates) are honoured by the
// walker itself.
import { gradients, stopGradient } from '../../autodiff';
import type { GraphBuilder, Value } from '../../ir';

export { stopGradient };

export interface Differentiated {
  /** The same builder, now with gradients (outputs 'grad/<name>' added). */
  readonly b: GraphBuilder;
  /** d(sum of loss)/d(wrt[i]), in the order of `wrt`. */
  readonly grads: Value[];
}

/** Gradients of the scalar (or summed) `loss` with respect to `wrt`, on `b`. */
export function differentiate(b: GraphBuilder, loss: Value, wrt: readonly Value[]): Differentiated {
  const grads = gradients(b, loss, wrt);
  grads.forEach((g, i) => b.output(g, `grad/${wrt[i]!.name}`));
  return { b, grads };
}
