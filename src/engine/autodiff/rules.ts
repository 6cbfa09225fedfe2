// The gradient rule table: one entry per IR op, exhaustive by type. Adding an op to ir/ops.ts
// without a rule, noGrad or neverDiff entry here is a compile error.
import { elementwiseRules } from './rules-elementwise';
import { linalgRules } from './rules-linalg';
import { movementRules } from './rules-movement';
import { reduceRules } from './rules-reduce';
import type { RuleTable } from './types';

export const RULES: RuleTable = { ...elementwiseRules, ...linalgRules, ...reduceRules, ...movementRules };
