// The pruning demo on the built-in world (`aptp demo --prune`, `npm run demo`): renders the world
// dataset into the workspace (reused when rendered before), imports it (minSide 64: world images
// are 64x64 and the importer's default floor is 256 px), prepares it with the shipped world model's
// own VAE and text encoder at 64 px, then runs APTP stage 1 on the world model's UNet (the 'quick'
// preset, a few experts). When no world model is shipped yet, builtInWorld().missing says why and
// the caller falls back to prune-demo.ts (random tiny UNet), saying so.
import { importDataset } from '../data/import-dataset';
import { runPreparation } from '../data/prepare-job';
import type { JobContext } from '../jobs/job';
import { openPruneJob, type PruneJob } from '../aptp/trainer/prune-job';
import type { PruneRunResult } from '../aptp/trainer/prune-run';
import type { Workspace } from '../store/workspace';
import { pruneConfigSchema } from '../../shared/prune-api';
import { WORLD_DATASET_NAME, WORLD_IMAGE_SIDE, writeBuiltInDataset } from '../world/built-in';

export interface WorldDemoOptions {
  readonly modelDir: string;
  readonly size: number;
  readonly steps: number;
  readonly seed: number;
  readonly threads: number;
}

export interface WorldDemoResult extends PruneRunResult {
  readonly runId: string;
  readonly datasetDir: string;
  readonly datasetId: string;
  readonly items: number;
  readonly budgetMacs: number;
  readonly totalMacs: number;
}

/** Stage label for the caller's progress display ('world dataset', 'import', 'prepare', 'pruning'). */
export type WorldDemoStage = 'world dataset' | 'import' | 'prepare' | 'pruning';

export async function runWorldDemo(ws: Workspace, o: WorldDemoOptions, ctx: JobContext & { stage(name: WorldDemoStage): void }): Promise<WorldDemoResult> {
  ctx.stage('world dataset');
  const rendered = await writeBuiltInDataset(ws, { size: o.size, seed: 0 }, ctx);
  ctx.stage('import');
  const imported = await importDataset(ws, { path: rendered.dir }, { name: WORLD_DATASET_NAME, limits: { minSide: WORLD_IMAGE_SIDE } }, ctx);
  ctx.stage('prepare');
  await runPreparation(ws, { datasetId: imported.datasetId, modelDir: o.modelDir, resolution: WORLD_IMAGE_SIDE, crop: 'center', flip: false }, ctx);
  const config = pruneConfigSchema.parse({
    model: o.modelDir, dataset: imported.datasetId, budget: 0.7, preset: 'quick', steps: o.steps, batch: 16, microBatch: 8, experts: 4,
    pretrainSteps: Math.ceil(o.steps / 5), warmupSteps: 2, seed: o.seed, resolution: WORLD_IMAGE_SIDE, checkpointEvery: 10,
  });
  const job: PruneJob = await openPruneJob(ws, config, o.threads);
  try {
    ctx.stage('pruning');
    const result = await job.run({ signal: ctx.signal, pauseRequested: () => false, progress: (p) => ctx.progress(p) });
    return { ...result, runId: job.runId, datasetDir: rendered.dir, datasetId: imported.datasetId, items: job.items, budgetMacs: job.estimate.budgetMacs, totalMacs: job.estimate.totalMacs };
  } finally {
    await job.dispose();
  }
}
