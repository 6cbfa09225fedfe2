// Checks that ops marked noGrad with float outputs refuse: differentiating through them must
// throw EngineError('no-gradient') naming the node, never return a silent zero.
import { grad } from '../../src/engine/autodiff/grad';
import { isEngineError } from '../../src/engine/core/errors';
import { GraphBuilder } from '../../src/engine/ir/builder';
import type { Value } from '../../src/engine/ir/graph';
import type { OpType } from '../../src/engine/ir/ops';

type Build = (b: GraphBuilder, x: Value) => Value;

export const REFUSALS: Partial<Record<OpType, Build>> = {
  TopK: (b, x) => b.topK(x, 2)[0],
  Floor: (b, x) => b.floor(x),
  Ceil: (b, x) => b.ceil(x),
  Sign: (b, x) => b.sign(x),
};

/** Null when grad() refused with no-gradient naming the node, else what went wrong. */
export function checkRefusal(op: OpType, build: Build): string | null {
  const b = new GraphBuilder(`refuse_${op}`);
  const x = b.input('x', 'float64', [2, 3]);
  const y = b.scope('under_test', () => build(b, b.exp(x)));
  b.output(b.reduceSum(b.mul(y, y), undefined, false), 'loss');
  try {
    grad(b.build(), { loss: 'loss', wrt: ['x'] });
    return 'grad() returned instead of refusing';
  } catch (e) {
    if (!isEngineError(e) || e.code !== 'no-gradient') return `threw ${String(e)}`;
    return typeof e.details.node === 'string' && e.details.node.startsWith('under_test/') && e.details.op === op ? null : `error did not name the node: ${JSON.stringify(e.details)}`;
  }
}
