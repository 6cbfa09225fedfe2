// Public surface of training: optimisers written as graph ops (AdamW, SGD), the training graph,
// the trainer loop, seeded randomness and parameter initialisation.
export type { Optimizer, ParamUpdate } from './optimizer';
export { adamW, type AdamWOptions } from './adamw';
export { sgd, type SgdOptions } from './sgd';
export { buildTrainingGraph, stateInputName, hyperInputName, newName, type TrainingGraphSpec } from './training-graph';
export { Trainer, type TrainerOptions, type TrainerSnapshot, type StepResult } from './trainer';
export { Random } from './random';
export { uniformFanIn, filled, fromNumbers, type ParamDType } from './init';
