// The trainer records the routing it learned: a tiny run on a real prepared dataset, paused after
// its first checkpoint, already shows a routing map (every prompt assigned, K experts with their hard
// architectures and MACs); the finished run's record is the deterministic inference routing of the
// final parameters (recomputed here from the checkpoint through the inference router bundles ship,
// with the code biases the record holds), and rewriting it replaced rows instead of adding any.
// Without optimal transport the biases are 0. The static-prune baseline records its one
// architecture as the only expert.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInferenceRouter, ROUTER_INPUTS, ROUTER_OUTPUTS } from '../../src/engine/aptp/router';
import { latestCheckpoint, loadCheckpoint } from '../../src/engine/aptp/trainer/checkpoint';
import { openPruneJob } from '../../src/engine/aptp/trainer/prune-job';
import { gatedMacs } from '../../src/engine/aptp/losses';
import { cacheKey, captionHash, PreparedCache } from '../../src/engine/data/prepared-cache';
import { writeModel } from '../../src/engine/onnx';
import { hostTensor, loadSession } from '../../src/engine/runtime';
import { RoutingRepository } from '../../src/engine/store/repositories/routing';
import { SampleRepository } from '../../src/engine/store/repositories/samples';
import { pruneConfigSchema } from '../../src/shared/prune-api';
import { CAPTIONS, preparedWorkspace, type PreparedWorkspace } from './prepared-workspace';

let pw: PreparedWorkspace;
beforeAll(async () => { pw = await preparedWorkspace('aptp-trainer-routing-'); }, 600_000);
afterAll(() => pw?.cleanup());

const config = (overrides: Record<string, unknown> = {}) => pruneConfigSchema.parse({
  model: pw.model, dataset: pw.datasetId, budget: 0.7, preset: 'quick', steps: 4, batch: 4, microBatch: 2, experts: 3,
  pretrainSteps: 1, warmupSteps: 1, resolution: 64, checkpointEvery: 2, sampleEvery: 0, ...overrides,
});
const quiet = (pauseAt = Infinity) => {
  let done = 0;
  return { signal: new AbortController().signal, pauseRequested: () => done >= pauseAt, progress: (p: { done: number }) => { done = p.done; } };
};

describe('the stage-1 trainer records its routing', () => {
  it('at a pause and at the end, as the inference router routes every prompt', { timeout: 600_000 }, async () => {
    const job = await openPruneJob(pw.ws, config(), 1);
    const repo = new RoutingRepository(pw.ws.db);
    try {
      expect((await job.run(quiet(2))).status).toBe('paused');
      expect(repo.assignments(job.runId)).toHaveLength(CAPTIONS.length);
      expect(repo.run(job.runId)?.encoder).toMatch(/#pooler_output$/);
    } finally {
      await job.dispose();
    }
    const resumed = await openPruneJob(pw.ws, { resumeRunId: job.runId }, 1);
    try {
      expect((await resumed.run(quiet())).status).toBe('completed');
    } finally {
      await resumed.dispose();
    }
    const run = repo.run(job.runId)!;
    const experts = repo.experts(job.runId);
    expect(experts.map((e) => e.expert)).toEqual([0, 1, 2]);
    expect(run.baseMacs).toBe(resumed.estimate.totalMacs);
    for (const e of experts) {
      expect(e.macs).toBeGreaterThan(resumed.estimate.totalMacs - resumed.estimate.prunableMacs);
      expect(e.macs).toBeLessThanOrEqual(resumed.estimate.totalMacs);
      expect(e.blocks.length).toBeGreaterThan(0);
    }
    const all = Array.from({ length: resumed.setup.stepper.setup.router.layout.vectorLength }, () => 1);
    expect(gatedMacs(resumed.setup.stepper.setup.losses.resource, all)).toBe(resumed.estimate.totalMacs);

    // The recorded experts are the inference router's on the final checkpoint's parameters.
    const spec = resumed.setup.stepper.setup.router;
    const state = (await loadCheckpoint((await latestCheckpoint(join(pw.ws.dir, 'checkpoints', job.runId)))!)).state;
    const params = Object.entries(state.params).map(([name, t]) => ({ name, dims: [...t.dims], data: t.data as Float32Array }));
    const assigned = repo.assignments(job.runId);
    const cache = new PreparedCache(pw.ws);
    const embedding = new Float32Array(assigned.length * spec.embedDim);
    for (const [i, a] of assigned.entries()) embedding.set((await cache.read(cacheKey('prompt-embedding', captionHash(a.caption), run.encoder, 0, '')))!.data as Float32Array, i * spec.embedDim);
    const path = join(pw.dir, 'router.onnx');
    // with optimal transport the record carries balancing biases (mean 0); the inference router adds them
    expect(Math.abs(experts.reduce((sum, e) => sum + e.bias, 0))).toBeLessThan(1e-6);
    expect(experts.some((e) => e.bias !== 0)).toBe(true);
    await writeModel(buildInferenceRouter(spec, params, assigned.length, experts.map((e) => e.bias)), path);
    const session = await loadSession({ path }, 'cpu');
    try {
      const out = await session.run({ [ROUTER_INPUTS.embedding]: hostTensor('float32', [assigned.length, spec.embedDim], embedding) });
      expect(assigned.map((a) => a.expert)).toEqual(Array.from(out[ROUTER_OUTPUTS.expert]!.data as BigInt64Array, Number));
    } finally {
      await session.dispose();
    }
    expect(assigned.every((a) => a.margin >= 0)).toBe(true);
    expect(assigned.map((a) => a.caption).sort()).toEqual([...CAPTIONS].sort());
  });

  it('without optimal transport (--no-ot): no biases, the plain argmax', { timeout: 600_000 }, async () => {
    const job = await openPruneJob(pw.ws, config({ optimalTransport: false, steps: 2 }), 1);
    try {
      expect((await job.run(quiet())).status).toBe('completed');
    } finally {
      await job.dispose();
    }
    const repo = new RoutingRepository(pw.ws.db);
    expect(repo.experts(job.runId).map((e) => e.bias)).toEqual([0, 0, 0]);
    expect(repo.assignments(job.runId)).toHaveLength(CAPTIONS.length);
  });

  it('for the static-prune baseline (--baseline): one expert, every prompt on it', { timeout: 600_000 }, async () => {
    const job = await openPruneJob(pw.ws, config({ kind: 'single', steps: 2, sampleEvery: 1, sampleSteps: 3 }), 1);
    try {
      expect((await job.run(quiet())).status).toBe('completed');
    } finally {
      await job.dispose();
    }
    const repo = new RoutingRepository(pw.ws.db);
    expect(repo.experts(job.runId).map((e) => e.expert)).toEqual([0]);
    expect(repo.assignments(job.runId).map((a) => [a.expert, a.margin])).toEqual(CAPTIONS.map(() => [0, 0]));
    const names = (pw.ws.db.prepare("SELECT DISTINCT name FROM metric_series WHERE run_id = ? ORDER BY name").all(job.runId) as { name: string }[]).map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['loss/ddpm', 'loss/resource', 'lr', 'rho/mean', 'skipped', 'time/step']));
    expect(names.filter((n) => n.startsWith('code/'))).toEqual([]);
    expect(new SampleRepository(pw.ws.db).list(job.runId).map((x) => x.code)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });
});
