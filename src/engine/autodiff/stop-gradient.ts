// Stop-gradient (PyTorch's x.detach(), JAX's lax.stop_gradient): forward the identity, backward
// nothing. ONNX has no such op, so the IR keeps ONNX's Identity and this module marks its output on
// the open builder; the walker (grad.ts) treats a marked value as a constant: it never joins the set
// of values that depend on a `wrt`, so no gradient flows into it or through it.
import type { GraphBuilder } from '../ir/builder';
import type { Value } from '../ir/graph';

const marks = new WeakMap<GraphBuilder, Set<number>>();

/** x, with no gradient flowing back through the result. */
export function stopGradient(b: GraphBuilder, x: Value): Value {
  const y = b.scope('stop_gradient', () => b.identity(x));
  const set = marks.get(b) ?? new Set<number>();
  set.add(y.id);
  marks.set(b, set);
  return y;
}

/** Ids of the values of `b` marked by stopGradient. */
export function stoppedValues(b: GraphBuilder): ReadonlySet<number> {
  return marks.get(b) ?? new Set<number>();
}
