// The reusable training loop: steps a Trainer over batches from a data source until `steps`,
// records every step's loss (and any kept scalar outputs) and images/s as metrics, reports progress,
// writes an atomic checkpoint every `checkpointEvery` steps, on cancel and at the end, and resumes
// exactly from a checkpoint (parameters, optimiser state, step, the data source's own state: RNG
// and cursor). A non-finite loss leaves the parameters as they were and is counted, not applied.
// The context has the shape of a run's context (signal, progress, metric, checkpointDir), so a
// training written on it becomes a run kind unchanged.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isEngineError } from '../core/errors';
import type { JobProgress } from '../jobs/job';
import { throwIfCancelled } from '../jobs/job';
import type { Feeds } from '../runtime';
import { readCheckpoint, writeCheckpoint } from './checkpoint';
import type { Trainer } from './trainer';

export interface TrainingContext {
  readonly signal: AbortSignal;
  progress(p: JobProgress): void;
  /** One scalar of one step (a run writes it to metric_series). */
  metric(name: string, step: number, value: number): void;
  /** Where this run keeps its checkpoints. */
  readonly checkpointDir: string;
}

/** Batches and the state that makes their order repeatable. */
export interface BatchSource<S> {
  next(): Promise<Feeds> | Feeds;
  save(): S;
}

export interface LoopSpec {
  /** Checkpoint file stem and progress label ('vae', 'diffusion'). */
  readonly name: string;
  readonly steps: number;
  /** Stop after this step (checkpointed) though `steps` shapes the schedule; default `steps`. */
  readonly stopAfter?: number;
  readonly imagesPerStep: number;
  readonly checkpointEvery: number;
  /** Learning rate of 1-based step t. */
  lr(t: number): number;
  /** Scalar outputs (besides the loss) recorded as metrics. */
  readonly scalars?: readonly string[];
}

export interface LoopResult {
  /** The stage's step count, checkpointed steps included. */
  readonly steps: number;
  /** Steps taken by this call (0 when the checkpoint already held every step). */
  readonly stepsRun: number;
  /** Loss of this call's last step; NaN when it took none. */
  readonly lastLoss: number;
  readonly skipped: number;
  readonly imagesPerSecond: number;
  /** Milliseconds spent in session runs (including copying weights and optimiser state in and out). */
  readonly runMs: number;
}

export function checkpointPath(ctx: TrainingContext, name: string): string {
  return join(ctx.checkpointDir, `${name}.ckpt.safetensors`);
}

/** Reads the checkpoint of stage `name` when one exists (undefined otherwise). */
export async function findCheckpoint<S>(ctx: TrainingContext, name: string): Promise<Awaited<ReturnType<typeof readCheckpoint<S>>> | undefined> {
  try {
    return await readCheckpoint<S>(checkpointPath(ctx, name));
  } catch (error) {
    if (isEngineError(error) && error.code === 'not-found') return undefined;
    throw error;
  }
}

export async function trainLoop<S>(trainer: Trainer, spec: LoopSpec, data: BatchSource<S>, ctx: TrainingContext): Promise<LoopResult> {
  mkdirSync(ctx.checkpointDir, { recursive: true });
  const save = (): Promise<void> => writeCheckpoint(checkpointPath(ctx, spec.name), { snapshot: trainer.snapshot(), state: data.save() });
  let [lastLoss, skipped, runMs, images] = [Number.NaN, 0, 0, 0];
  const started = Date.now();
  const firstStep = trainer.stepCount;
  try {
    const last = Math.min(spec.steps, spec.stopAfter ?? spec.steps);
    while (trainer.stepCount < last) {
      throwIfCancelled(ctx.signal);
      const feeds = await data.next();
      const t = trainer.stepCount + 1;
      const t0 = performance.now();
      const r = await trainer.step(feeds, spec.lr(t));
      runMs += performance.now() - t0;
      images += spec.imagesPerStep;
      if (r.skipped) {
        skipped += 1;
        ctx.metric(`${spec.name}/skipped`, t, skipped);
        continue;
      }
      lastLoss = r.loss;
      const rate = images / ((Date.now() - started) / 1000);
      ctx.metric(`${spec.name}/loss`, t, r.loss);
      ctx.metric(`${spec.name}/lr`, t, spec.lr(t));
      ctx.metric(`${spec.name}/images_per_s`, t, rate);
      for (const s of spec.scalars ?? []) ctx.metric(`${spec.name}/${s}`, t, Number(r.outputs[s]?.data[0]));
      ctx.progress({ done: t, total: spec.steps, detail: `${spec.name} loss ${r.loss.toFixed(4)}, ${rate.toFixed(1)} images/s`, metrics: { loss: r.loss, imagesPerSecond: rate } });
      if (t % spec.checkpointEvery === 0) await save();
    }
  } catch (error) {
    if (isEngineError(error) && error.code === 'cancelled') await save();
    throw error;
  }
  await save();
  return { steps: trainer.stepCount, stepsRun: trainer.stepCount - firstStep, lastLoss, skipped, imagesPerSecond: images / Math.max(1e-3, (Date.now() - started) / 1000), runMs };
}
