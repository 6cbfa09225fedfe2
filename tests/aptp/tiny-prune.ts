// A tiny pruning setup for the trainer tests: a two-level SD-shaped UNet with seeded random weights,
// and prompts in a few clusters (embeddings near cluster centres, text states and latent
// distributions drawn per prompt), so a run takes seconds on a CPU.
import { memoryData, type PruneData, type PruneItem } from '../../src/engine/aptp/trainer/prune-data';
import { createPrune, type PruneModel, type PruneSetup } from '../../src/engine/aptp/trainer/setup';
import { randomWeights } from '../../src/engine/models/sd/unet/layers';
import { Random } from '../../src/engine/train/random';
import { pruneConfigSchema, resolvePruneConfig, type PruneConfigInput } from '../../src/shared/prune-api';
import { tinyUNetConfig } from '../engine/models/sd/unet/helpers';

export const TEXT: readonly [number, number] = [4, 16];
export const LATENT: readonly [number, number, number] = [4, 8, 8];

export function tinyModel(): PruneModel {
  return { unet: tinyUNetConfig({ layers_per_block: 1 }), weights: randomWeights(3), scheduler: {}, scalingFactor: 0.18215 };
}

export function clusteredData(count: number, clusters: number, embedDim = 16, seed = 1): PruneData {
  const r = new Random(seed);
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: embedDim }, () => r.normal()));
  const items: PruneItem[] = Array.from({ length: count }, (_, i) => ({
    embedding: Float32Array.from(centres[i % clusters] as Float32Array, (c) => c + 0.1 * r.normal()),
    text: Float32Array.from({ length: TEXT[0] * TEXT[1] }, () => r.normal()),
    latent: Float32Array.from({ length: 2 * LATENT[0] * LATENT[1] * LATENT[2] }, (_, j) => (j < LATENT[0] * LATENT[1] * LATENT[2] ? r.normal() * 4 : -4)),
  }));
  return memoryData(items, LATENT, TEXT);
}

export function tinyPrune(data: PruneData, overrides: Partial<PruneConfigInput> = {}): PruneSetup {
  const parsed = pruneConfigSchema.parse({ model: 'tiny', dataset: 'tiny', budget: 0.7, preset: 'quick', steps: 6, batch: 4, microBatch: 2, experts: 2, pretrainSteps: 2, warmupSteps: 2, ...overrides });
  // the tiny model is no folder to read a resolution from: 256 unless the test gives one
  const config = resolvePruneConfig({ ...parsed, resolution: parsed.resolution ?? 256 });
  return createPrune(tinyModel(), data, config, { provider: 'cpu', intraOpThreads: 1 });
}
