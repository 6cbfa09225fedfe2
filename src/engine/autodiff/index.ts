// Public surface of reverse-mode autodiff: gradients() on an open builder, grad() graph-to-graph, stopGradient, and the exhaustive rule table they walk.
export { gradients, grad, type GradRequest } from './grad';
export { RULES } from './rules';
export { stopGradient } from './stop-gradient';
export { noGrad, neverDiff, DEFAULT_GRAD_OPTIONS, type ConvInputGrad, type GradOptions, type GradCtx, type GradRule, type GradThunk, type NoGrad, type NeverDiff, type RuleEntry, type RuleTable } from './types';
