// Per-code sample images: a tiny run on a real prepared dataset writes, every N steps and at the
// end, one PNG per code and fixed prompt (fixed seeds) under the workspace with a row each; a run
// interrupted and resumed from an earlier checkpoint (so it repeats a sample step) ends with exactly
// the samples and metric series of an uninterrupted run, none duplicated; the studio handlers list
// them and serve an image as a data URL.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointPath } from '../../src/engine/aptp/trainer/checkpoint';
import { openPruneJob, type PruneJob } from '../../src/engine/aptp/trainer/prune-job';
import { pruneHandlers } from '../../src/engine/host/prune-handlers';
import { SampleRepository } from '../../src/engine/store/repositories/samples';
import { pruneConfigSchema } from '../../src/shared/prune-api';
import { preparedWorkspace, type PreparedWorkspace } from './prepared-workspace';

let pw: PreparedWorkspace;
beforeAll(async () => { pw = await preparedWorkspace('aptp-trainer-samples-'); }, 600_000);
afterAll(() => pw?.cleanup());

const config = () => pruneConfigSchema.parse({
  model: pw.model, dataset: pw.datasetId, budget: 0.7, preset: 'quick', steps: 4, batch: 4, microBatch: 2, experts: 2,
  pretrainSteps: 1, warmupSteps: 1, resolution: 64, checkpointEvery: 2, sampleEvery: 2, samplePrompts: 2, sampleSteps: 3, seed: 5,
});
const control = (pauseAt = Infinity) => {
  let done = 0;
  return { signal: new AbortController().signal, pauseRequested: () => done >= pauseAt, progress: (p: { done: number }) => { done = p.done; } };
};

async function finish(job: PruneJob, pauseAt?: number) {
  try {
    return await job.run(control(pauseAt));
  } finally {
    await job.dispose();
  }
}

function series(runId: string) {
  return pw.ws.db.prepare("SELECT step, name, value FROM metric_series WHERE run_id = ? AND name != 'time/step' ORDER BY step, name").all(runId);
}

describe('per-code samples of a pruning run', () => {
  it('are written at intervals, survive an interrupted resume unduplicated, and are served', { timeout: 600_000 }, async () => {
    const whole = await openPruneJob(pw.ws, config(), 1);
    expect((await finish(whole)).status).toBe('completed');
    const repo = new SampleRepository(pw.ws.db);
    const expected = repo.list(whole.runId);
    expect(expected.map((s) => [s.step, s.code, s.promptIndex, s.seed])).toEqual([
      [2, 0, 0, 5], [2, 0, 1, 6], [2, 1, 0, 5], [2, 1, 1, 6], [4, 0, 0, 5], [4, 0, 1, 6], [4, 1, 0, 5], [4, 1, 1, 6],
    ]);
    for (const s of expected) {
      const bytes = readFileSync(join(pw.ws.dir, s.path));
      expect(bytes.length).toBe(s.bytes);
      expect(await sharp(bytes).metadata()).toMatchObject({ format: 'png', width: 64, height: 64 });
    }
    expect(new Set(expected.map((s) => s.prompt)).size).toBe(2);

    // Paused after step 3, then the step-3 checkpoint lost: the resumed run repeats step 3 and 4.
    const parted = await openPruneJob(pw.ws, config(), 1);
    expect((await finish(parted, 3)).status).toBe('paused');
    expect(repo.list(parted.runId).map((s) => s.step)).toEqual([2, 2, 2, 2]);
    rmSync(checkpointPath(join(pw.ws.dir, 'checkpoints', parted.runId), 3));
    expect((await finish(await openPruneJob(pw.ws, { resumeRunId: parted.runId }, 1))).status).toBe('completed');
    const strip = (list: typeof expected) => list.map(({ path: _path, ...rest }) => rest);
    expect(strip(repo.list(parted.runId))).toEqual(strip(expected));
    expect(series(parted.runId)).toEqual(series(whole.runId));

    const handlers = pruneHandlers(() => pw.ws);
    const listed = await handlers.runSamples({ runId: whole.runId });
    expect(listed.samples).toHaveLength(8);
    expect(listed.samples[0]).toEqual({ step: 2, code: 0, prompt: expected[0]!.prompt, seed: 5, imagePath: expected[0]!.path });
    const image = await handlers.runSampleImage({ runId: whole.runId, imagePath: listed.samples[0]!.imagePath });
    expect(image.dataUrl).toBe(`data:image/png;base64,${readFileSync(join(pw.ws.dir, expected[0]!.path)).toString('base64')}`);
    await expect(handlers.runSampleImage({ runId: whole.runId, imagePath: '../../etc/passwd' })).rejects.toThrow(/has no sample image/);
    await expect(handlers.runSamples({ runId: 'nope' })).rejects.toThrow(/No run nope/);
    expect(existsSync(join(pw.ws.dir, 'samples', whole.runId))).toBe(true);
  });

  it('use classifier-free guidance against the empty prompt unless told 1', { timeout: 600_000 }, async () => {
    const sha = async (input: Parameters<typeof pruneConfigSchema.parse>[0]) => {
      const job = await openPruneJob(pw.ws, pruneConfigSchema.parse(input), 1);
      expect((await finish(job)).status).toBe('completed');
      return new SampleRepository(pw.ws.db).list(job.runId).map((s) => s.sha256);
    };
    const base = { ...config(), steps: 2, sampleEvery: 2, samplePrompts: 1 };
    const [plain, guided, again] = [await sha({ ...base, sampleGuidance: 1 }), await sha(base), await sha(base)];
    expect(guided).toEqual(again);
    expect(guided).toHaveLength(plain.length);
    guided.forEach((g, i) => expect(g, `sample ${i}`).not.toBe(plain[i]));
  });
});
