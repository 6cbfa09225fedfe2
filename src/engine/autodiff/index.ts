// Public surface of reverse-mode autodiff: grad() and the exhaustive rule table it walks.
export { grad, type GradRequest } from './grad';
export { RULES } from './rules';
export { GradOps } from './grad-ops';
export { noGrad, neverDiff, type GradCtx, type GradRule, type GradThunk, type NoGrad, type NeverDiff, type RuleEntry, type RuleTable } from './types';
