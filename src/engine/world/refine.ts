// `aptp world refine`: continues training a built world model's text encoder and UNet on a stream
// of fresh scenes with a chosen difficulty mix (more hard scenes than the build's 40/30/30), from
// the model folder's weights with a fresh AdamW and a moving average that starts at the folder's
// weights. The VAE, its latent scale and the judge are kept. Checkpoints atomically and resumes
// exactly like `world build` (stage 'refine' in its own checkpoint folder), and writes a diffusers
// folder the same way, so a refined model is the build's recipe plus this call, reproducible from
// the seed.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EngineError } from '../core/errors';
import type { HostTensor } from '../runtime';
import { Trainer, adamW } from '../train';
import { lockFolder } from '../train/folder-lock';
import { findCheckpoint, trainLoop, type LoopResult, type TrainingContext } from '../train/loop';
import { promoteToInputs } from '../train/trainable';
import { WorldStream } from './batches';
import { diffusionBatches, EMA_DECAY, encoderSession, schedule, tensorWeights, trainingSession, type DiffusionState } from './build';
import type { DifficultyMix } from './items';
import { JUDGE_FILE } from './judge';
import { readWorldModel, saveWorldModel, writeTokenizer, type WorldWeights } from './save-model';
import { diffusionGraph, worldConfigs } from './training-graphs';
import { loadClipTokenizer } from '../models/sd/tokenizer';

export interface WorldRefineOptions {
  /** The world model folder to start from (its VAE, scale and judge are kept). */
  readonly from: string;
  readonly out: string;
  readonly seed: number;
  readonly steps: number;
  /** Stop after this step, keeping the learning-rate schedule of `steps`. */
  readonly until?: number;
  /** Share of each difficulty in the scenes trained on. */
  readonly mix: DifficultyMix;
  readonly lr?: number;
  readonly batch?: number;
  readonly threads?: number;
}

export interface WorldRefineResult {
  readonly dir: string;
  readonly refine: LoopResult;
}

/** The default peak learning rate of a refinement: the build's diffusion rate. */
export const REFINE_LR = 5e-4;
/** The refinement's scene stream is its own (never the build's diffusion stream of seed + 7). */
const streamSeed = (seed: number): number => seed + 11;

function checkMix(mix: DifficultyMix): void {
  const parts = [mix.easy, mix.medium, mix.hard];
  if (parts.some((x) => !Number.isFinite(x) || x < 0) || parts.reduce((a, b) => a + b, 0) <= 0) {
    throw new EngineError('invalid-argument', `A difficulty mix needs non-negative shares with a positive sum (got easy ${mix.easy}, medium ${mix.medium}, hard ${mix.hard}).`, { mix });
  }
}

const splitText = (params: Readonly<Record<string, HostTensor>>, text: boolean): Record<string, HostTensor> =>
  Object.fromEntries(Object.entries(params).filter(([k]) => k.startsWith('text_model.') === text));

/** Writes the model folder `o.out`: the trained text encoder and UNet `params`, the start model's VAE and scale, and the judge. */
async function writeRefined(o: Pick<WorldRefineOptions, 'from' | 'out'>, start: WorldWeights, judgeFile: string, params: Readonly<Record<string, HostTensor>>): Promise<string> {
  const dir = await saveWorldModel(o.out, { unet: splitText(params, false), textEncoder: splitText(params, true), vae: start.vae, scalingFactor: start.scalingFactor });
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
  const dir = await withJudgeAside(o.from, (judgeFile) => writeRefined(o, start, judgeFile, saved.snapshot.ema ?? saved.snapshot.params));
  return { dir, step: saved.snapshot.step };
}

/** Refines (or resumes refining) the model in `o.from` and writes the result to `o.out`. */
export async function refineWorldModel(o: WorldRefineOptions, ctx: TrainingContext): Promise<WorldRefineResult> {
  checkMix(o.mix);
  mkdirSync(ctx.checkpointDir, { recursive: true });
  const unlock = lockFolder(ctx.checkpointDir, 'world refine');
  try {
    const start = await readWorldModel(o.from);
    return await withJudgeAside(o.from, async (judgeFile) => {
      const batch = o.batch ?? 16;
      const threads = o.threads ?? 1;
      const lr = o.lr ?? REFINE_LR;
      const saved = await findCheckpoint<DiffusionState>(ctx, 'refine');
      if (saved && saved.state.scale !== start.scalingFactor) {
        throw new EngineError('invalid-argument', `The refine checkpoint in ${ctx.checkpointDir} was made from a model with latent scale ${saved.state.scale}, not ${o.from} (scale ${start.scalingFactor}); resume with the same --from, or pass another --checkpoints folder.`, { checkpointDir: ctx.checkpointDir, from: o.from });
      }
      const { graph, params } = promoteToInputs(diffusionGraph(worldConfigs(), batch, { unet: tensorWeights(start.unet), text: tensorWeights(start.textEncoder) }));
      const trainer = await Trainer.create(graph, { params, optimizer: adamW({ lr, weightDecay: 0.01 }), session: trainingSession(threads), resume: saved?.snapshot, ema: { decay: EMA_DECAY, from: 0 } });
      const tokDir = join(ctx.checkpointDir, 'tokenizer');
      writeTokenizer(tokDir);
      const enc = await encoderSession(start.vae, batch, start.scalingFactor, threads);
      const data = diffusionBatches(new WorldStream(streamSeed(o.seed), saved?.state, o.mix), enc, loadClipTokenizer(tokDir), batch, start.scalingFactor);
      let refine: LoopResult;
      try {
        refine = await trainLoop(trainer, { name: 'refine', steps: o.steps, imagesPerStep: batch, checkpointEvery: 25, lr: schedule(lr, o.steps, 50), ...(o.until !== undefined ? { stopAfter: o.until } : {}) }, data, ctx);
      } finally {
        await enc.dispose();
      }
      return { dir: await writeRefined(o, start, judgeFile, trainer.averaged), refine };
    });
  } finally {
    unlock();
  }
}
