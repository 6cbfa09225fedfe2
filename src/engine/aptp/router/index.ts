// Public surface of APTP's prompt router (APTP.md "Router"): the spec and its defaults, parameters
// and their init, the graph functions (Gumbel gates, routing vectors, Sinkhorn, assignment) for use
// on an open builder, the three whole graphs (training forward, training step with gradients,
// deterministic inference, with the balancing code biases of code-bias.ts), and the one autodiff
// entry point with stop-gradients.
export { ROUTER_DEFAULTS, routerSpec, type RouterKind, type RouterOptions, type RouterSpec, type RouterTables } from './spec';
export { ROUTER_PARAMS, initRouterParams, orthogonal, routerParamShapes, type RouterParamTensor } from './params';
export { gatePreactivations, gumbelGates, gumbelNoise, hardGates, hardValues } from './gumbel';
export { assignCodes, l2Normalize, routingVector, similarities, sinkhorn } from './routing';
export { predictorLogits, routerForward, type RouterInputs, type RouterValues } from './forward';
export { ROUTER_INPUTS, ROUTER_OUTPUTS, buildInferenceRouter, buildRouterForward, buildRouterStep, type Gating, type RouterDType, type RouterLossSpec } from './graphs';
export { differentiate, stopGradient, type Differentiated } from './differentiate';
export { biasedArgmax, codeBiases, type CodeBiasOptions } from './code-bias';
export { calibratedExpert, onProbabilities, shiftedHardGates, type CalibratedExpert } from './calibrated-experts';
export { depthOrder } from '../depth-order';
