// Public surface of the tensor-graph IR: op list, graph model, builder, inference, verifier, passes, printer.
export * from './ops';
export * from './graph';
export { GraphBuilder } from './builder';
export type { Operand } from './builder';
export { inferTypes, formatType, resolveReshape, reducedShape } from './infer/index';
export { verifyGraph, topologicalSort } from './verifier';
export { broadcastShapes, tryBroadcastShapes, broadcastReduction } from '../core/shape';
export { printGraph, formatNode } from './printer';
export { eliminateDeadCode, eliminateCommonSubexpressions } from './passes';
