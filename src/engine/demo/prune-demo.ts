// The pruning demo until the built-in world model exists: APTP stage 1 on a self-built tiny
// SD-shaped UNet (seeded random weights) and synthetic prompts in four clusters (embeddings near
// cluster centres; text states and latent distributions drawn per prompt), recorded as a 'prune'
// run with every step's metrics and checkpoints in the workspace. It exercises the whole trainer
// (router forward, UNet micro-batches, router step, AdamW, Sinkhorn, checkpoints) in about a minute.
import { join } from 'node:path';
import { resolvePruneConfig, pruneConfigSchema } from '../../shared/prune-api';
import { memoryData, type PruneItem } from '../aptp/trainer/prune-data';
import { PRUNE_RUN_KIND } from '../aptp/trainer/prune-job';
import { runPrune, type PruneRunResult } from '../aptp/trainer/prune-run';
import { createPrune } from '../aptp/trainer/setup';
import type { JobContext } from '../jobs/job';
import { unetConfigSchema } from '../models/sd/config/unet';
import { randomWeights } from '../models/sd/unet';
import type { Workspace } from '../store/workspace';
import { Random } from '../train';

const LATENT = [4, 8, 8] as const;
const TEXT = [4, 16] as const;

function syntheticPrompts(count: number, clusters: number, seed: number): PruneItem[] {
  const r = new Random(seed);
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: 16 }, () => r.normal()));
  const per = LATENT[0] * LATENT[1] * LATENT[2];
  return Array.from({ length: count }, (_, i) => ({
    embedding: Float32Array.from(centres[i % clusters] as Float32Array, (c) => c + 0.1 * r.normal()),
    text: Float32Array.from({ length: TEXT[0] * TEXT[1] }, () => r.normal()),
    latent: Float32Array.from({ length: 2 * per }, (_, j) => (j < per ? 4 * r.normal() : -4)),
  }));
}

export interface PruneDemoResult extends PruneRunResult {
  readonly runId: string;
  readonly codes: readonly number[];
}

export async function runPruneDemo(ws: Workspace, options: { steps: number; seed: number; threads: number }, ctx: JobContext): Promise<PruneDemoResult> {
  const unet = unetConfigSchema.parse({ block_out_channels: [32, 64], layers_per_block: 1, down_block_types: ['CrossAttnDownBlock2D', 'DownBlock2D'], up_block_types: ['UpBlock2D', 'CrossAttnUpBlock2D'], attention_head_dim: 2, norm_num_groups: 8, cross_attention_dim: 16 });
  const config = resolvePruneConfig(pruneConfigSchema.parse({ model: 'built-in tiny UNet', dataset: 'synthetic prompt clusters', budget: 0.7, preset: 'quick', steps: options.steps, batch: 16, microBatch: 8, experts: 4, pretrainSteps: Math.ceil(options.steps / 5), warmupSteps: 2, lr: 0.05, seed: options.seed, checkpointEvery: 10 }));
  const setup = createPrune({ unet, weights: randomWeights(options.seed + 3), scheduler: {}, scalingFactor: 0.18215 }, memoryData(syntheticPrompts(32, 4, options.seed), LATENT, TEXT), config, { intraOpThreads: options.threads });
  const project = (ws.projects.list().find((p) => p.name === 'demo') ?? ws.projects.create('demo', { kind: 'built-in demo' })).id;
  const run = ws.runs.create(project, PRUNE_RUN_KIND, { ...config, objective: setup.objective });
  ws.runs.setStatus(run.id, 'running');
  let codes: number[] = [];
  try {
    const result = await runPrune(setup.stepper, setup.schedule, setup.initial, {
      signal: ctx.signal, pauseRequested: () => false, progress: (p) => ctx.progress(p), checkpointDir: join(ws.dir, 'checkpoints', run.id),
      metrics: (step, values) => {
        codes = Array.from({ length: config.experts }, (_, k) => values[`code/${k}`] ?? 0);
        ws.metrics.record(run.id, Object.entries(values).map(([name, value]) => ({ name, step, value, wallTime: Date.now() / 1000 })));
      },
    });
    ws.runs.setStatus(run.id, result.status === 'paused' ? 'paused' : result.status);
    return { ...result, runId: run.id, codes };
  } catch (error) {
    ws.runs.setStatus(run.id, 'failed', { message: (error as Error).message });
    throw error;
  } finally {
    await setup.stepper.dispose();
  }
}
