// From a pruning configuration to the objects a run needs: the UNet's gate layout and MACs at the
// training resolution, the router spec, the resource model and the budget's prunable target, the
// loss weights (APTP.md "Losses"), AdamW at lr x sqrt(global batch), the schedule, fresh router
// parameters, and the estimate shown before a run starts. The CLI, the studio and the tests build
// runs through this one function.
import type { PruneEstimate, ResolvedPruneConfig } from '../../../shared/prune-api';
import { EngineError } from '../../core/errors';
import type { UNetConfig } from '../../models/sd/config/unet';
import { DdpmTraining, type PredictionType, type SchedulerConfigInput } from '../../models/sd/schedulers';
import { unetMacs } from '../../models/sd/structure/macs';
import { gateLayout } from '../../models/sd/structure/gates';
import { buildUNet, resolveUNet, shapeOnlyWeights, type WeightProvider } from '../../models/sd/unet';
import type { SessionConfig } from '../../runtime';
import { adamW } from '../../train';
import { prunableTarget, resourceModel, stage1Objective, type Stage1Objective } from '../losses';
import { initRouterParams, routerSpec } from '../router';
import { MEMORY_MODES, type MemoryMode } from '../step/memory-mode';
import type { PruneData } from './prune-data';
import { learningRate, type PruneSchedule } from './prune-run';
import { initialState, PruneStep, type RouterState, type TermWeights } from './prune-step';

export interface PruneModel {
  readonly unet: UNetConfig;
  readonly weights: WeightProvider;
  readonly scheduler: SchedulerConfigInput;
  readonly predictionType?: PredictionType;
  /** The VAE's scaling factor (0.18215 for SD 1.x/2.x). */
  readonly scalingFactor: number;
}

export interface PruneSetup {
  readonly stepper: PruneStep;
  readonly initial: RouterState;
  readonly schedule: PruneSchedule;
  readonly estimate: PruneEstimate;
  /** The objective the run trains (loss weights, min-SNR, router settings), recorded with the run. */
  readonly objective: Stage1Objective;
}

/** The stage-1 objective of a configuration: its preset (the baseline's for kind 'single') with the user's overrides. */
export function pruneObjective(config: ResolvedPruneConfig): Stage1Objective {
  return stage1Objective(config.kind === 'single' ? 'baseline' : config.preset, {
    router: { experts: config.kind === 'single' ? 1 : config.experts, optimalTransport: config.optimalTransport },
    ...(config.snrGamma !== undefined ? { snrGamma: config.snrGamma } : {}),
    ...(config.snrFormula !== undefined ? { snrFormula: config.snrFormula } : {}),
  });
}

/** What a configuration implies before anything is built: gate layout, MACs, budget target, objective. */
export function planPrune(model: PruneModel, data: Pick<PruneData, 'latentShape' | 'textShape'>, config: ResolvedPruneConfig) {
  if (config.experts < 1) throw new EngineError('invalid-argument', `The number of experts must be at least 1 (got ${config.experts}).`, { experts: config.experts });
  const arch = resolveUNet(model.unet);
  const layout = gateLayout(arch);
  if (layout.widthGroups.length === 0) throw new EngineError('unsupported-model', 'This UNet has no gate sites (no ResNet, attention or feed-forward units APTP can prune); choose an SD 1.x/2.x UNet.', {});
  const [, height, width] = data.latentShape;
  const [textLength] = data.textShape;
  const macs = unetMacs(arch, { height, width }, textLength);
  const resource = resourceModel(layout, macs);
  const target = prunableTarget(config.budget, resource);
  const objective = pruneObjective(config);
  const estimate: PruneEstimate = {
    totalMacs: macs.total, prunableMacs: macs.prunable, budgetMacs: config.budget * macs.total, prunableTarget: target,
    stepMemoryBytes: stepMemoryBytes(model.unet, config.microBatch, height, width, textLength, config.memory), gateEntries: layout.vectorLength, latent: { height, width },
    logitTravel: logitTravel(config), gateOffset: objective.router.offset,
  };
  return { arch, layout, macs, resource, target, objective, estimate };
}

/**
 * About how far AdamW moves one gate logit of what gates the UNet over the run: the sum of the
 * scheduled rates over the steps the codes gate (after predictor pre-training; every step for the
 * baseline). AdamW's update is about lr per parameter a step, so a code whose logits start near 0
 * cannot switch a gate off (it needs about the Gumbel offset, 3) in a run whose travel is smaller.
 */
export function logitTravel(config: Pick<ResolvedPruneConfig, 'lr' | 'batch' | 'steps' | 'warmupSteps' | 'pretrainSteps' | 'kind'>): number {
  const schedule = { lr: config.lr * Math.sqrt(config.batch), warmupSteps: config.warmupSteps };
  let travel = 0;
  for (let step = config.kind === 'single' ? 0 : config.pretrainSteps; step < config.steps; step++) travel += learningRate(schedule, step);
  return travel;
}

export function createPrune(model: PruneModel, data: PruneData, config: ResolvedPruneConfig, session: SessionConfig = {}): PruneSetup {
  const { arch, layout, macs, resource, target, objective, estimate } = planPrune(model, data, config);
  const router = routerSpec(arch, layout, data.embedDim, objective.router, macs);
  const lr = config.lr * Math.sqrt(config.batch);
  const optimizer = adamW({ lr, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 });
  const w = objective.weights;
  const termWeights: TermWeights = { ddpm: w.ddpm, distill: w.distill, block: w.block };
  const stepper = PruneStep.open({
    router, losses: { resource, target, weights: { resource: w.resource, contrastive: w.contrastive, std: w.std, max: w.max }, temperatures: objective.contrastiveTemperatures },
    unet: { config: model.unet, weights: model.weights }, ddpm: new DdpmTraining(model.scheduler, model.predictionType ? { predictionType: model.predictionType } : {}),
    snr: { gamma: objective.snrGamma, formula: objective.snrFormula }, scalingFactor: model.scalingFactor, globalBatch: config.batch, microBatch: config.microBatch,
    termWeights, optimizer, data, seed: config.seed, session, memory: config.memory,
  });
  const schedule: PruneSchedule = { steps: config.steps, lr, warmupSteps: config.warmupSteps, pretrainSteps: config.pretrainSteps, checkpointEvery: config.checkpointEvery };
  return { stepper, initial: initialState(initRouterParams(router, config.seed), router, optimizer), schedule, estimate, objective };
}

/**
 * What one micro-batch step holds, estimated: the weights once plus the memory mode's extra copies
 * (memory-mode.ts), plus every forward value of the student (kept for the
 * backward pass) and of the teacher, plus as much again for the gradients.
 */
export function stepMemoryBytes(unet: UNetConfig, microBatch: number, height: number, width: number, textLength: number, memory: MemoryMode = 'fast'): number {
  const built = buildUNet(unet, { batch: microBatch, height, width, textLength, weights: shapeOnlyWeights(), gates: 'none' });
  const bytes = (shape: readonly number[]): number => 4 * shape.reduce((a, d) => a * d, 1);
  const weights = built.params.reduce((s, p) => s + bytes(p.shape), 0);
  const activations = built.graph.nodes.reduce((s, n) => s + n.outputs.reduce((t, v) => t + bytes(v.type.shape), 0), 0);
  return (1 + MEMORY_MODES[memory].extraWeightCopies) * weights + 3 * activations;
}
