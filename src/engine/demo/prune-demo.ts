// The pruning demo until the built-in world model exists: APTP stage 1 on a self-built tiny
// SD-shaped UNet (seeded random weights) and synthetic prompts in four clusters (embeddings near
// cluster centres; text states and latent distributions drawn per prompt), recorded as a 'prune'
// run with every step's metrics and checkpoints in the workspace. The prompts are imported as a
// prompts dataset with their embeddings in the preparation cache, so the trainer also records the
// routing map (the Routing view shows the run) and per-code samples, decoded by a tiny random VAE.
// It exercises the whole trainer (router forward, UNet micro-batches, router step, AdamW, Sinkhorn,
// checkpoints, routing, samples) in about a minute.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolvePruneConfig, pruneConfigSchema } from '../../shared/prune-api';
import { memoryData, type PruneData, type PruneItem } from '../aptp/trainer/prune-data';
import { PRUNE_RUN_KIND } from '../aptp/trainer/prune-job';
import { runPrune, type PruneRunResult } from '../aptp/trainer/prune-run';
import { RoutingRecorder } from '../aptp/trainer/routing-record';
import { CodeSampler } from '../aptp/trainer/samples';
import { createPrune } from '../aptp/trainer/setup';
import { importDataset } from '../data/import-dataset';
import { cacheKey, captionHash, PreparedCache } from '../data/prepared-cache';
import type { JobContext } from '../jobs/job';
import { unetConfigSchema, vaeConfigSchema } from '../models/sd/config';
import { randomWeights } from '../models/sd/unet';
import type { Workspace } from '../store/workspace';
import { Random } from '../train';

const LATENT = [4, 8, 8] as const;
const TEXT = [4, 16] as const;
/** The cache id the demo's synthetic prompt embeddings are stored under. */
export const DEMO_PROMPT_ENCODER = 'built-in-demo#synthetic-clusters';
const TOPICS = ['a fox in a forest', 'a red sports car', 'a bowl of soup', 'a stone castle'] as const;

function syntheticPrompts(count: number, clusters: number, seed: number): PruneItem[] {
  const r = new Random(seed);
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: 16 }, () => r.normal()));
  const per = LATENT[0] * LATENT[1] * LATENT[2];
  return Array.from({ length: count }, (_, i) => ({
    embedding: Float32Array.from(centres[i % clusters] as Float32Array, (c) => c + 0.1 * r.normal()),
    text: Float32Array.from({ length: TEXT[0] * TEXT[1] }, () => r.normal()),
    latent: Float32Array.from({ length: 2 * per }, (_, j) => (j < per ? 4 * r.normal() : -4)),
    caption: `${TOPICS[i % TOPICS.length] ?? 'a scene'}, number ${i + 1}`,
  }));
}

/** The prompts as a prompts dataset of the workspace, their embeddings in the preparation cache. */
async function recordPrompts(ws: Workspace, items: readonly PruneItem[], ctx: JobContext): Promise<string> {
  const dir = join(ws.dir, 'demo');
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'prune-prompts.txt');
  await writeFile(file, `${items.map((it) => it.caption).join('\n')}\n`);
  const { datasetId } = await importDataset(ws, { path: file }, { name: 'demo prompts' }, { signal: ctx.signal, progress: () => {} });
  const cache = new PreparedCache(ws);
  for (const it of items) await cache.write(cacheKey('prompt-embedding', captionHash(it.caption ?? ''), DEMO_PROMPT_ENCODER, 0, ''), { dtype: 'float32', shape: [it.embedding.length], data: it.embedding });
  return datasetId;
}

export interface PruneDemoResult extends PruneRunResult {
  readonly runId: string;
  readonly codes: readonly number[];
  /** Prompts of the demo dataset the trained router sends to each code (inference routing). */
  readonly routed: readonly number[];
  readonly samples: number;
}

export async function runPruneDemo(ws: Workspace, options: { steps: number; seed: number; threads: number }, ctx: JobContext): Promise<PruneDemoResult> {
  const unet = unetConfigSchema.parse({ block_out_channels: [32, 64], layers_per_block: 1, down_block_types: ['CrossAttnDownBlock2D', 'DownBlock2D'], up_block_types: ['UpBlock2D', 'CrossAttnUpBlock2D'], attention_head_dim: 2, norm_num_groups: 8, cross_attention_dim: 16 });
  const vae = vaeConfigSchema.parse({ block_out_channels: [8, 16], down_block_types: ['DownEncoderBlock2D', 'DownEncoderBlock2D'], up_block_types: ['UpDecoderBlock2D', 'UpDecoderBlock2D'], layers_per_block: 1, norm_num_groups: 4, latent_channels: 4 });
  // resolution: the synthetic prompts carry no images; 256 px is the size the recorded run states
  const config = resolvePruneConfig({ ...pruneConfigSchema.parse({ model: 'built-in tiny UNet', dataset: 'demo prompts', budget: 0.7, preset: 'quick', steps: options.steps, batch: 16, microBatch: 8, experts: 4, pretrainSteps: Math.ceil(options.steps / 5), warmupSteps: 2, lr: 0.05, seed: options.seed, checkpointEvery: 10, promptEncoder: 'model', samplePrompts: 4, sampleSteps: 10, sampleGuidance: 1 }), resolution: 256 });
  const items = syntheticPrompts(32, 4, options.seed);
  const datasetId = await recordPrompts(ws, items, ctx);
  const data: PruneData = { ...memoryData(items, LATENT, TEXT), promptEncoder: DEMO_PROMPT_ENCODER };
  const session = { intraOpThreads: options.threads };
  const weights = randomWeights(options.seed + 3);
  const setup = createPrune({ unet, weights, scheduler: {}, scalingFactor: 0.18215 }, data, config, session);
  const project = (ws.projects.list().find((p) => p.name === 'demo') ?? ws.projects.create('demo', { kind: 'built-in demo' })).id;
  const run = ws.runs.create(project, PRUNE_RUN_KIND, { ...config, objective: setup.objective, promptEncoderId: DEMO_PROMPT_ENCODER });
  const routing = new RoutingRecorder(setup.stepper.setup.router, setup.stepper.setup.losses.resource, { ws, runId: run.id, datasetId, encoder: DEMO_PROMPT_ENCODER }, session);
  // no guidance: the demo's prompts are synthetic text states, there is no text encoder for an empty prompt
  const plan = { every: config.sampleEvery, totalSteps: config.steps, prompts: config.samplePrompts, steps: config.sampleSteps, seed: config.seed, guidance: config.sampleGuidance };
  const sampler = new CodeSampler(ws, run.id, { unet, unetWeights: weights, vae, vaeWeights: randomWeights(options.seed + 5), scheduler: {}, vaeScale: 2 }, data, plan, (state) => routing.architectures(state), session);
  ws.runs.setStatus(run.id, 'running');
  let codes: number[] = [];
  let routed: number[] = [];
  let samples = 0;
  try {
    const result = await runPrune(setup.stepper, setup.schedule, setup.initial, {
      signal: ctx.signal, pauseRequested: () => false, progress: (p) => ctx.progress(p), checkpointDir: join(ws.dir, 'checkpoints', run.id),
      metrics: (step, values) => {
        codes = Array.from({ length: config.experts }, (_, k) => values[`code/${k}`] ?? 0);
        ws.metrics.record(run.id, Object.entries(values).map(([name, value]) => ({ name, step, value, wallTime: Date.now() / 1000 })));
      },
      checkpointed: async (_step, state) => { routed = await routing.record(state); },
      stepped: async (step, state) => { samples += (await sampler.maybeSample(step, state)).length; },
    });
    ws.runs.setStatus(run.id, result.status === 'paused' ? 'paused' : result.status);
    return { ...result, runId: run.id, codes, routed, samples };
  } catch (error) {
    ws.runs.setStatus(run.id, 'failed', { message: (error as Error).message });
    throw error;
  } finally {
    await setup.stepper.dispose();
    await routing.dispose();
    await sampler.dispose();
  }
}
