// The refinement of a built world model: its text encoder and UNet trained further on a stream of
// fresh scenes with a chosen difficulty mix (default more hard scenes than the build's 40/30/30),
// with a fresh AdamW and a moving average that starts at the starting weights; the VAE, its latent
// scale and the judge are kept. `refineStage` is the stage (`world build --refine-steps` runs it on
// the diffusion stage's result, so one build call reproduces the shipped model from a seed);
// `refineWorldModel` runs it on a model folder (`world refine --from DIR`). Checkpoints atomically
// as stage 'refine' and resumes exactly like the build's stages.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EngineError } from '../core/errors';
import type { HostTensor } from '../runtime';
import { Trainer, adamW } from '../train';
import { lockFolder } from '../train/folder-lock';
import { findCheckpoint, trainLoop, type LoopResult, type TrainingContext } from '../train/loop';
import { promoteToInputs } from '../train/trainable';
import { loadClipTokenizer } from '../models/sd/tokenizer';
import { WorldStream } from './batches';
import { diffusionBatches, EMA_DECAY, encoderSession, schedule, tensorWeights, trainingSession, type DiffusionState } from './diffusion-stage';
import type { DifficultyMix } from './items';
import { JUDGE_FILE } from './judge';
import { readWorldModel, saveWorldModel, writeTokenizer, type WorldWeights } from './save-model';
import { diffusionGraph, worldConfigs } from './training-graphs';

export interface RefineStageOptions {
  readonly seed: number;
  readonly steps: number;
  /** Stop after this step, keeping the learning-rate schedule of `steps`. */
  readonly until?: number;
  /** Share of each difficulty in the scenes trained on (default REFINE_MIX). */
  readonly mix?: DifficultyMix;
  readonly lr?: number;
  readonly batch?: number;
  readonly threads?: number;
}

export interface WorldRefineOptions extends RefineStageOptions {
  /** The world model folder to start from (its VAE, scale and judge are kept). */
  readonly from: string;
  readonly out: string;
}

/** The default peak learning rate of a refinement: the build's diffusion rate. */
export const REFINE_LR = 5e-4;
/** The default shares of easy, medium and hard scenes (the build trains on 40/30/30). */
export const REFINE_MIX: DifficultyMix = { easy: 0.35, medium: 0.15, hard: 0.5 };
/** The refinement's scene stream is its own (never the build's diffusion stream of seed + 7). */
const streamSeed = (seed: number): number => seed + 11;

function checkMix(mix: DifficultyMix): void {
  const parts = [mix.easy, mix.medium, mix.hard];
  if (parts.some((x) => !Number.isFinite(x) || x < 0) || parts.reduce((a, b) => a + b, 0) <= 0) {
    throw new EngineError('invalid-argument', `A difficulty mix needs non-negative shares with a positive sum (got easy ${mix.easy}, medium ${mix.medium}, hard ${mix.hard}).`, { mix });
  }
}

export const splitText = (params: Readonly<Record<string, HostTensor>>, text: boolean): Record<string, HostTensor> =>
  Object.fromEntries(Object.entries(params).filter(([k]) => k.startsWith('text_model.') === text));

/** Trains (or resumes) the refine stage from `start`; returns the text encoder and UNet weights (their moving average). */
export async function refineStage(start: WorldWeights, o: RefineStageOptions, ctx: TrainingContext): Promise<{ params: Record<string, HostTensor>; result: LoopResult }> {
  const mix = o.mix ?? REFINE_MIX;
  checkMix(mix);
  const batch = o.batch ?? 16;
  const threads = o.threads ?? 1;
  const lr = o.lr ?? REFINE_LR;
  const saved = await findCheckpoint<DiffusionState>(ctx, 'refine');
  if (saved && saved.state.scale !== start.scalingFactor) {
    throw new EngineError('invalid-argument', `The refine checkpoint in ${ctx.checkpointDir} was made from a model with latent scale ${saved.state.scale}, not this one (scale ${start.scalingFactor}); resume from the same model, or pass another checkpoint folder.`, { checkpointDir: ctx.checkpointDir });
  }
  const { graph, params } = promoteToInputs(diffusionGraph(worldConfigs(), batch, { unet: tensorWeights(start.unet), text: tensorWeights(start.textEncoder) }));
  const trainer = await Trainer.create(graph, { params, optimizer: adamW({ lr, weightDecay: 0.01 }), session: trainingSession(threads), resume: saved?.snapshot, ema: { decay: EMA_DECAY, from: 0 } });
  const tokDir = join(ctx.checkpointDir, 'tokenizer');
  writeTokenizer(tokDir);
  const enc = await encoderSession(start.vae, batch, start.scalingFactor, threads);
  const data = diffusionBatches(new WorldStream(streamSeed(o.seed), saved?.state, mix), enc, loadClipTokenizer(tokDir), batch, start.scalingFactor);
  try {
    const result = await trainLoop(trainer, { name: 'refine', steps: o.steps, imagesPerStep: batch, checkpointEvery: 25, lr: schedule(lr, o.steps, 50), ...(o.until !== undefined ? { stopAfter: o.until } : {}) }, data, ctx);
    return { params: { ...trainer.averaged }, result };
  } finally {
    await enc.dispose();
  }
}

/** Writes the model folder `o.out`: the trained text encoder and UNet `params`, the start model's VAE and scale, and the judge. */
async function writeRefined(out: string, start: WorldWeights, judgeFile: string, params: Readonly<Record<string, HostTensor>>): Promise<string> {
  const dir = await saveWorldModel(out, { unet: splitText(params, false), textEncoder: splitText(params, true), vae: start.vae, scalingFactor: start.scalingFactor });
  mkdirSync(join(dir, 'judge'), { recursive: true });
  copyFileSync(judgeFile, join(dir, 'judge', JUDGE_FILE));
  return dir;
}

/** Copies `from`'s judge aside (`from` and `out` may be one folder), runs `work`, then cleans up. */
async function withJudgeAside<T>(from: string, work: (judgeFile: string) => Promise<T>): Promise<T> {
  const aside = mkdtempSync(join(tmpdir(), 'aptp-refine-judge-'));
  try {
    const judgeFile = join(aside, JUDGE_FILE);
    copyFileSync(join(resolve(from), 'judge', JUDGE_FILE), judgeFile);
    return await work(judgeFile);
  } finally {
    rmSync(aside, { recursive: true, force: true });
  }
}

/**
 * Writes the model folder from the refine checkpoint as it is now (its moving average), without
 * training: a look at a refinement while it runs. Takes no lock.
 */
export async function snapshotRefinedModel(o: Pick<WorldRefineOptions, 'from' | 'out'>, ctx: TrainingContext): Promise<{ dir: string; step: number }> {
  const saved = await findCheckpoint<DiffusionState>(ctx, 'refine');
  if (!saved) throw new EngineError('not-found', `No refine checkpoint in ${ctx.checkpointDir} yet; let \`aptp world refine\` take its first steps first.`, { checkpointDir: ctx.checkpointDir });
  const start = await readWorldModel(o.from);
  const dir = await withJudgeAside(o.from, (judgeFile) => writeRefined(o.out, start, judgeFile, saved.snapshot.ema ?? saved.snapshot.params));
  return { dir, step: saved.snapshot.step };
}

/** Refines (or resumes refining) the model in `o.from` and writes the result to `o.out`. */
export async function refineWorldModel(o: WorldRefineOptions, ctx: TrainingContext): Promise<{ dir: string; refine: LoopResult }> {
  checkMix(o.mix ?? REFINE_MIX);
  mkdirSync(ctx.checkpointDir, { recursive: true });
  const unlock = lockFolder(ctx.checkpointDir, 'world refine');
  try {
    const start = await readWorldModel(o.from);
    return await withJudgeAside(o.from, async (judgeFile) => {
      const { params, result } = await refineStage(start, o, ctx);
      return { dir: await writeRefined(o.out, start, judgeFile, params), refine: result };
    });
  } finally {
    unlock();
  }
}
