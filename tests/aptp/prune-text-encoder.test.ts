// `promptEncoder: 'sentence-transformers:DIR'`: the run routes with a local sentence-transformers
// folder (random BERT weights written by the test): every dataset prompt is embedded once into the
// preparation cache under the folder's id (equal to the encoder run directly), the router reads
// those embeddings (its width is the folder's), the run records the choice and the id, a resumed run
// reuses them, and a folder the engine cannot use is refused naming what it is.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSentenceEncoder } from '../../src/engine/aptp/encoders';
import { openPruneJob } from '../../src/engine/aptp/trainer/prune-job';
import { cacheKey, captionHash, PreparedCache } from '../../src/engine/data/prepared-cache';
import { RoutingRepository } from '../../src/engine/store/repositories/routing';
import { pruneConfigSchema } from '../../src/shared/prune-api';
import { CAPTIONS, preparedWorkspace, type PreparedWorkspace } from './prepared-workspace';
import { ST_HIDDEN, writeSentenceFolder } from './sentence-folder';

let pw: PreparedWorkspace;
let folder: string;
beforeAll(async () => {
  pw = await preparedWorkspace('aptp-prune-st-');
  folder = await writeSentenceFolder(join(pw.dir, 'st'));
}, 600_000);
afterAll(() => pw?.cleanup());

const config = (promptEncoder: string) => pruneConfigSchema.parse({
  model: pw.model, dataset: pw.datasetId, budget: 0.7, preset: 'quick', steps: 2, batch: 4, microBatch: 2, experts: 2,
  pretrainSteps: 1, warmupSteps: 1, resolution: 64, sampleEvery: 0, promptEncoder,
});
const control = () => ({ signal: new AbortController().signal, pauseRequested: () => false, progress: () => {} });

describe('a sentence-transformers prompt encoder', () => {
  it('embeds the dataset once, drives the router and is recorded with the run', { timeout: 600_000 }, async () => {
    const job = await openPruneJob(pw.ws, config(`sentence-transformers:${folder}`), 1);
    try {
      expect(job.promptEncoder).toMatch(/^sentence-transformers:bert:[0-9a-f]{16}$/);
      expect(job.setup.stepper.setup.router.embedDim).toBe(ST_HIDDEN);
      expect((await job.run(control())).status).toBe('completed');
    } finally {
      await job.dispose();
    }
    expect(pw.ws.runs.get(job.runId)?.config).toMatchObject({ promptEncoder: `sentence-transformers:${folder}`, promptEncoderId: job.promptEncoder });
    expect(new RoutingRepository(pw.ws.db).run(job.runId)?.encoder).toBe(job.promptEncoder);
    const encoder = await openSentenceEncoder(folder);
    try {
      const direct = await encoder.encode([CAPTIONS[2]]);
      const cached = await new PreparedCache(pw.ws).read(cacheKey('prompt-embedding', captionHash(CAPTIONS[2]), job.promptEncoder, 0, ''));
      expect(Array.from(cached!.data as Float32Array)).toEqual(Array.from(direct));
    } finally {
      await encoder.dispose();
    }
    const resumed = await openPruneJob(pw.ws, { resumeRunId: job.runId }, 1);
    expect(resumed.promptEncoder).toBe(job.promptEncoder);
    await resumed.dispose();
  });

  it('refuses a folder it cannot use, naming what it is', { timeout: 600_000 }, async () => {
    await expect(openPruneJob(pw.ws, config(`sentence-transformers:${pw.model}`), 1)).rejects.toThrow(/diffusers pipeline folder/);
    await expect(openPruneJob(pw.ws, config('clip-vit'), 1)).rejects.toThrow(/Unknown prompt encoder 'clip-vit'/);
  });
});
