// The paper's ablation in miniature: on a tiny UNet and prompts in four clusters, with optimal
// transport (Sinkhorn) every one of the K = 4 codes keeps prompts and no two codes take nearly
// everything; without it the assignments collapse onto one or two codes. Measured over the last
// WINDOW steps of a run whose codes have had time to move (a learning rate far above the paper's,
// so that a CPU sees in 90 steps what 5000 steps do at 2e-4).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPrune } from '../../src/engine/aptp/trainer/prune-run';
import { clusteredData, tinyPrune } from './tiny-prune';

const K = 4;
const BATCH = 16;
const STEPS = 90;
const WINDOW = 30;

/** Per-code prompt counts of the last WINDOW steps. */
async function assignments(optimalTransport: boolean): Promise<number[][]> {
  const dir = await mkdtemp(join(tmpdir(), 'aptp-ablation-'));
  const setup = tinyPrune(clusteredData(32, 4), { steps: STEPS, batch: BATCH, microBatch: 8, experts: K, pretrainSteps: 20, warmupSteps: 2, lr: 0.05, optimalTransport, checkpointEvery: 1000 });
  const counts: number[][] = [];
  try {
    await runPrune(setup.stepper, setup.schedule, setup.initial, {
      signal: new AbortController().signal, pauseRequested: () => false, progress: () => undefined, checkpointDir: dir,
      metrics: (step, v) => { if (step >= STEPS - WINDOW) counts.push(Array.from({ length: K }, (_, k) => v[`code/${k}`] ?? 0)); },
    });
  } finally {
    await setup.stepper.dispose();
    await rm(dir, { recursive: true, force: true });
  }
  return counts;
}

/** Mean share of the batch taken by the two most used codes of each step. */
function topTwoShare(counts: number[][]): number {
  return counts.reduce((s, c) => s + [...c].sort((a, b) => b - a).slice(0, 2).reduce((x, y) => x + y, 0) / BATCH, 0) / counts.length;
}

describe('optimal transport ablation', () => {
  it('keeps all codes in use with Sinkhorn and collapses onto one or two codes without it', { timeout: 900_000 }, async () => {
    const withOt = await assignments(true);
    const withoutOt = await assignments(false);
    const used = (counts: number[][]) => Array.from({ length: K }, (_, k) => counts.reduce((s, c) => s + (c[k] ?? 0), 0));
    console.info(`ablation: top-2 share with OT ${topTwoShare(withOt).toFixed(3)} (per code ${used(withOt).join('/')}), without ${topTwoShare(withoutOt).toFixed(3)} (per code ${used(withoutOt).join('/')})`);
    expect(used(withOt).every((n) => n >= (WINDOW * BATCH) / K / 3)).toBe(true);
    expect(topTwoShare(withOt)).toBeLessThan(0.8);
    expect(topTwoShare(withoutOt)).toBeGreaterThan(0.9);
  });
});
