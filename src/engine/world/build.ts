// `aptp world build`: trains the world model from a seed with the engine's own autodiff and AdamW,
// in stages over scenes rendered on the fly: (0) the judge (judge.ts); (1) the VAE (reconstruction
// + small KL); (1b) the VAE decoder alone on the frozen encoder's sampled latents (a short joint
// training leaves colours washed out and edges soft; the latent space the UNet learns stays the
// same because the encoder does not move), then the latent scale is measured; (2) the CLIP text encoder and UNet together on
// epsilon prediction, with 10% of captions dropped for classifier-free guidance, saved as the moving
// average of its weights over the last steps (--ema-from); (3) optionally, the refine stage
// (refine.ts: the same on more hard scenes, from the diffusion stage's result). Each stage checkpoints atomically and a
// second call with the same checkpoint folder resumes exactly where the last one stopped. Writes
// a diffusers folder (save-model.ts) with the judge in judge/. A function over a run-shaped context (train/loop.ts);
// one build at a time per checkpoint folder (train/folder-lock.ts).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../core/errors';
import type { HostTensor } from '../runtime';
import { hostTensor } from '../runtime';
import { VAE_ENCODER_IO } from '../models/sd/vae';
import { loadClipTokenizer } from '../models/sd/tokenizer';
import { randomWeights } from '../models/sd/unet/layers';
import { Trainer, adamW } from '../train';
import { lockFolder } from '../train/folder-lock';
import { findCheckpoint, trainLoop, type LoopResult, type TrainingContext } from '../train/loop';
import { promoteToInputs } from '../train/trainable';
import { autoencoderBatches, imageBatch, WorldStream, type CursorState } from './batches';
import { diffusionBatches, EMA_DECAY, encoderSession, schedule, tensorWeights, trainingSession, type DiffusionState } from './diffusion-stage';
import type { DifficultyMix } from './items';
import { refineStage, REFINE_MIX, splitText } from './refine';
import { saveWorldModel, writeTokenizer, type WorldWeights } from './save-model';
import { autoencoderGraph, diffusionGraph, LATENT_SIZE, worldConfigs } from './training-graphs';
import { saveJudge, trainJudge } from './judge';
import { IMAGE_SIZE } from './vocabulary';

export interface WorldBuildOptions {
  readonly seed: number;
  readonly out: string;
  readonly judgeSteps: number;
  readonly judgeBatch?: number;
  readonly vaeSteps: number;
  /** Decoder-only fine-tuning steps after the VAE (0 skips the stage). */
  readonly decoderSteps?: number;
  readonly diffusionSteps: number;
  /**
   * Stop the diffusion stage after this step, keeping the learning-rate schedule of diffusionSteps
   * (a later call without it continues the same schedule); the model is saved as it is then.
   */
  readonly diffusionUntil?: number;
  /** The diffusion step from which the UNet and text encoder are averaged (default 70% of the steps; the model is saved with the average). */
  readonly emaFrom?: number;
  readonly vaeBatch?: number;
  readonly diffusionBatch?: number;
  readonly threads?: number;
  /** Refine steps after the diffusion stage (refine.ts: more hard scenes; 0 or absent skips it). */
  readonly refineSteps?: number;
  readonly refineMix?: DifficultyMix;
  readonly refineLr?: number;
}

export interface WorldBuildResult {
  readonly dir: string;
  readonly judge: LoopResult;
  readonly vae: LoopResult;
  readonly decoder?: LoopResult;
  readonly diffusion: LoopResult;
  readonly refine?: LoopResult;
  readonly scalingFactor: number;
}

const KL_WEIGHT = 1e-4;
export const defaultEmaFrom = (diffusionSteps: number): number => Math.round(0.7 * diffusionSteps);
/** Decoder fine-tuning steps of `aptp world build` unless told (batch 8: 12,000 fresh scenes). */
export const DEFAULT_DECODER_STEPS = 1500;

async function trainAutoencoder(o: WorldBuildOptions, ctx: TrainingContext): Promise<{ params: Record<string, HostTensor>; result: LoopResult }> {
  const batch = o.vaeBatch ?? 8;
  const { graph, params } = promoteToInputs(autoencoderGraph(worldConfigs().vae, batch, randomWeights(o.seed + 1), KL_WEIGHT));
  const saved = await findCheckpoint<CursorState>(ctx, 'vae');
  const trainer = await Trainer.create(graph, { params, optimizer: adamW({ lr: 1e-3, weightDecay: 0 }), session: trainingSession(o.threads), keep: ['recon_loss', 'kl'], resume: saved?.snapshot });
  const data = autoencoderBatches(new WorldStream(o.seed, saved?.state), batch, LATENT_SIZE);
  const result = await trainLoop(trainer, { name: 'vae', steps: o.vaeSteps, imagesPerStep: batch, checkpointEvery: 25, lr: schedule(1e-3, o.vaeSteps, 20), scalars: ['recon_loss', 'kl'] }, data, ctx);
  return { params: { ...trainer.parameters }, result };
}

const isDecoderWeight = (name: string): boolean => name.startsWith('decoder.') || name.startsWith('post_quant_conv.');

/**
 * Fine-tunes the decoder (and post_quant_conv) on the frozen encoder's sampled latents: the same
 * autoencoder graph with only the decoder's weights trained, so the KL term is a constant and the
 * latents the diffusion stage sees are exactly those of the joint training.
 */
async function trainDecoder(o: WorldBuildOptions, vae: Record<string, HostTensor>, ctx: TrainingContext): Promise<{ params: Record<string, HostTensor>; result?: LoopResult }> {
  const steps = o.decoderSteps ?? 0;
  if (steps === 0) return { params: vae };
  const batch = o.vaeBatch ?? 8;
  const { graph, params } = promoteToInputs(autoencoderGraph(worldConfigs().vae, batch, tensorWeights(vae), KL_WEIGHT), isDecoderWeight);
  const saved = await findCheckpoint<CursorState>(ctx, 'decoder');
  const trainer = await Trainer.create(graph, { params, optimizer: adamW({ lr: 5e-4, weightDecay: 0 }), session: trainingSession(o.threads), keep: ['recon_loss'], resume: saved?.snapshot });
  const data = autoencoderBatches(new WorldStream(o.seed + 5, saved?.state), batch, LATENT_SIZE);
  const result = await trainLoop(trainer, { name: 'decoder', steps, imagesPerStep: batch, checkpointEvery: 25, lr: schedule(5e-4, steps, 20), scalars: ['recon_loss'] }, data, ctx);
  return { params: { ...vae, ...trainer.parameters }, result };
}

/** 1 / std of sampled latents over 256 fresh scenes (diffusers' scaling_factor convention). */
async function measureScale(vae: Record<string, HostTensor>, seed: number, threads: number): Promise<number> {
  const batch = 32;
  const enc = await encoderSession(vae, batch, 1, threads);
  const stream = new WorldStream(seed + 99991);
  const values: number[] = [];
  for (let k = 0; k < 8; k++) {
    const n = batch * 4 * LATENT_SIZE * LATENT_SIZE;
    const out = await enc.run({ [VAE_ENCODER_IO.image]: hostTensor('float32', [batch, 3, IMAGE_SIZE, IMAGE_SIZE], imageBatch(stream.take(batch))), [VAE_ENCODER_IO.noise]: hostTensor('float32', [batch, 4, LATENT_SIZE, LATENT_SIZE], stream.normals(n)) }, [VAE_ENCODER_IO.latents]);
    values.push(...(out[VAE_ENCODER_IO.latents]?.data as Float32Array));
  }
  await enc.dispose();
  const mean = values.reduce((a, v) => a + v, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
  return Math.fround(1 / std);
}

async function trainDiffusion(o: WorldBuildOptions, vae: Record<string, HostTensor>, ctx: TrainingContext): Promise<{ params: Record<string, HostTensor>; result: LoopResult; scale: number }> {
  const batch = o.diffusionBatch ?? 16;
  const threads = o.threads ?? 1;
  const saved = await findCheckpoint<DiffusionState>(ctx, 'diffusion');
  const scale = saved?.state.scale ?? (await measureScale(vae, o.seed, threads));
  const { graph, params } = promoteToInputs(diffusionGraph(worldConfigs(), batch, { unet: randomWeights(o.seed + 2), text: randomWeights(o.seed + 3) }));
  const ema = { decay: EMA_DECAY, from: o.emaFrom ?? defaultEmaFrom(o.diffusionSteps) };
  const trainer = await Trainer.create(graph, { params, optimizer: adamW({ lr: 5e-4, weightDecay: 0.01 }), session: trainingSession(threads), resume: saved?.snapshot, ema });
  const tokDir = join(ctx.checkpointDir, 'tokenizer');
  writeTokenizer(tokDir);
  const enc = await encoderSession(vae, batch, scale, threads);
  const data = diffusionBatches(new WorldStream(o.seed + 7, saved?.state), enc, loadClipTokenizer(tokDir), batch, scale);
  try {
    const result = await trainLoop(trainer, { name: 'diffusion', steps: o.diffusionSteps, imagesPerStep: batch, checkpointEvery: 25, lr: schedule(5e-4, o.diffusionSteps, 50), ...(o.diffusionUntil !== undefined ? { stopAfter: o.diffusionUntil } : {}) }, data, ctx);
    return { params: { ...trainer.averaged }, result, scale };
  } finally {
    await enc.dispose();
  }
}

/**
 * Writes the model folder from the checkpoints as they are now, without training (a look at a long
 * build while it runs: its fidelity so far). Needs the judge, VAE and diffusion checkpoints.
 */
export async function snapshotWorldModel(out: string, ctx: TrainingContext): Promise<{ dir: string; steps: Record<string, number> }> {
  const stage = async <S>(name: string) => {
    const saved = await findCheckpoint<S>(ctx, name);
    if (!saved) throw new EngineError('not-found', `No ${name} checkpoint in ${ctx.checkpointDir} yet; let \`aptp world build\` reach the ${name} stage first.`, { checkpointDir: ctx.checkpointDir, stage: name });
    return saved;
  };
  const [judge, vae, diffusion] = [await stage('judge'), await stage('vae'), await stage<DiffusionState>('diffusion')];
  const decoder = await findCheckpoint<CursorState>(ctx, 'decoder');
  const refine = await findCheckpoint<DiffusionState>(ctx, 'refine');
  const last = refine ?? diffusion;
  const params = last.snapshot.ema ?? last.snapshot.params;
  const dir = await saveWorldModel(out, { unet: splitText(params, false), textEncoder: splitText(params, true), vae: { ...vae.snapshot.params, ...decoder?.snapshot.params }, scalingFactor: diffusion.state.scale });
  await saveJudge(join(dir, 'judge'), judge.snapshot.params);
  return { dir, steps: { judge: judge.snapshot.step, vae: vae.snapshot.step, ...(decoder ? { decoder: decoder.snapshot.step } : {}), diffusion: diffusion.snapshot.step, ...(refine ? { refine: refine.snapshot.step } : {}) } };
}

/** Trains (or resumes) both stages and writes the model folder to `options.out`. */
export async function buildWorldModel(options: WorldBuildOptions, ctx: TrainingContext): Promise<WorldBuildResult> {
  mkdirSync(ctx.checkpointDir, { recursive: true });
  const unlock = lockFolder(ctx.checkpointDir, 'world build');
  try {
    return await buildLocked(options, ctx);
  } finally {
    unlock();
  }
}

async function buildLocked(options: WorldBuildOptions, ctx: TrainingContext): Promise<WorldBuildResult> {
  const judge = await trainJudge({ seed: options.seed, steps: options.judgeSteps, batch: options.judgeBatch, threads: options.threads }, ctx);
  const vae = await trainAutoencoder(options, ctx);
  const decoder = await trainDecoder(options, vae.params, ctx);
  const diffusion = await trainDiffusion(options, vae.params, ctx);
  const built: WorldWeights = { unet: splitText(diffusion.params, false), textEncoder: splitText(diffusion.params, true), vae: decoder.params, scalingFactor: diffusion.scale };
  const refine = options.refineSteps
    ? await refineStage(built, { seed: options.seed, steps: options.refineSteps, mix: options.refineMix ?? REFINE_MIX, lr: options.refineLr, batch: options.diffusionBatch, threads: options.threads }, ctx)
    : undefined;
  const final = refine ? { ...built, unet: splitText(refine.params, false), textEncoder: splitText(refine.params, true) } : built;
  const dir = await saveWorldModel(options.out, final);
  await saveJudge(join(dir, 'judge'), judge.params);
  return { dir, judge: judge.result, vae: vae.result, ...(decoder.result ? { decoder: decoder.result } : {}), diffusion: diffusion.result, ...(refine ? { refine: refine.result } : {}), scalingFactor: diffusion.scale };
}
