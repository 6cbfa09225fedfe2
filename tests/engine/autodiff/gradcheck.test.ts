// Quick gradchecks inside the unit tests (the full suite is `npm run gradcheck`), and the
// compile-time promise that the rule table is exhaustive over the op list.
import { describe, expect, it } from 'vitest';
import { RULES } from '../../../src/engine/autodiff/rules';
import { elementwiseRules } from '../../../src/engine/autodiff/rules-elementwise';
import { linalgRules } from '../../../src/engine/autodiff/rules-linalg';
import { movementRules } from '../../../src/engine/autodiff/rules-movement';
import { reduceRules } from '../../../src/engine/autodiff/rules-reduce';
import type { RuleTable } from '../../../src/engine/autodiff/types';
import { OP_TYPES } from '../../../src/engine/ir/ops';
import { allCases } from '../../gradcheck/cases';
import { checkCase, TOLERANCE } from '../../gradcheck/harness';

const QUICK = ['Conv', 'ConvTranspose', 'MatMul', 'LayerNormalization', 'Softmax', 'Slice', 'Gather', 'Div', 'GroupNorm (composite)'];

describe('gradcheck (quick subset)', () => {
  const cases = allCases(11).filter((c) => QUICK.includes(c.op));
  it.each(cases.map((c) => [`${c.op}: ${c.name}`, c] as const))('%s', async (_label, c) => {
    const result = await checkCase(c, 11);
    expect(result.error).toBeUndefined();
    expect(result.maxErr).toBeLessThanOrEqual(TOLERANCE[result.dtype]);
  });

  it('catches a wrong rule (Exp scaled by 1.01) and a rule that throws', async () => {
    const [c] = allCases(11).filter((x) => x.op === 'Exp');
    if (!c) throw new Error('no Exp case');
    const table = RULES as unknown as Record<string, unknown>;
    const original = table.Exp;
    try {
      table.Exp = ((ctx, b) => [() => b.mul(b.mul(ctx.g(), ctx.y()), 1.01)]) satisfies RuleTable['Exp'];
      expect((await checkCase(c, 11)).ok).toBe(false);
      table.Exp = ((ctx) => [() => ctx.refuse('broken on purpose')]) satisfies RuleTable['Exp'];
      expect((await checkCase(c, 11)).error).toMatch(/broken on purpose/);
    } finally {
      table.Exp = original;
    }
    expect((await checkCase(c, 11)).ok).toBe(true);
  });
});

describe('rule table', () => {
  it('has an entry for every op', () => {
    expect(Object.keys(RULES).sort()).toEqual([...OP_TYPES].sort());
  });

  it('is exhaustive at compile time', () => {
    const { Constant: _constant, ...withoutConstant } = movementRules;
    // @ts-expect-error a table missing an op (Constant) must not compile
    const incomplete: RuleTable = { ...elementwiseRules, ...linalgRules, ...reduceRules, ...withoutConstant };
    expect(Object.keys(incomplete)).not.toContain('Constant');
  });
});
