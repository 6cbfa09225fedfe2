// The Dataset view's handlers through the real contract validation: the folder browser lists
// names only and refuses relative paths; import and preparation as runs in real worker processes,
// followed through the studio service's run watcher as job events (progress, one finished event,
// cancel), report, item pages and search, and
// thumbnails served only for items of the dataset asked about.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudioService, type StudioService } from '../../../src/engine/host/studio-service';
import { WorkspaceHolder } from '../../../src/engine/host/workspace-holder';
import type { Result } from '../../../src/shared/result';
import type { StudioEvent, StudioHandlers, StudioInput, StudioMethod, StudioOutput } from '../../../src/shared/studio-api';
import type { JobFinishedEvent } from '../../../src/shared/studio-jobs';
import { handleStudioRequest } from '../../../src/shared/studio-validate';
import { writeTinyFolder } from '../models/sd/loader/tiny-folder';
import { tempDir } from '../store/helpers';
import { put, solidImage } from '../data/fixtures';

const temp = tempDir('aptp-data-service-');
const data = join(temp.dir, 'data');
const workspace = new WorkspaceHolder(join(temp.dir, 'workspace'));
let service: StudioService;
let handlers: StudioHandlers;
const events: StudioEvent[] = [];

beforeAll(async () => {
  service = createStudioService({ workspace, emit: (e) => events.push(e) });
  handlers = service.handlers;
  for (let i = 0; i < 5; i++) {
    put(data, `img-${i}.jpg`, await solidImage('jpeg', 300 + i, 300, i));
    put(data, `img-${i}.txt`, i % 2 ? `a red fox number ${i}` : `a blue bird number ${i}`);
  }
  put(data, 'sub/notes.jsonl', '{}');
  put(data, 'sub/secret.bin', 'never listed');
});
/** One request through the contract's validation, typed by its method. */
const call = <M extends StudioMethod>(method: M, input: StudioInput<M>) => handleStudioRequest(handlers, method, input) as Promise<Result<StudioOutput<M>>>;

/** The job's one finished event, once it arrives. */
async function finished(jobId: string): Promise<JobFinishedEvent> {
  await expect.poll(() => events.some((e) => e.event === 'jobFinished' && e.payload.jobId === jobId), { timeout: 60_000 }).toBe(true);
  return events.find((e): e is Extract<StudioEvent, { event: 'jobFinished' }> => e.event === 'jobFinished' && e.payload.jobId === jobId)!.payload;
}

async function importJob(path: string): Promise<string> {
  const started = await call('importDataset', { path });
  if (!started.ok) throw new Error(started.error.message);
  const end = await finished(started.value.jobId);
  if (end.kind !== 'importDataset' || !end.result.ok) throw new Error(`import failed: ${JSON.stringify(end)}`);
  return end.result.value.datasetId;
}

afterAll(async () => {
  await service.close();
  workspace.close();
  temp.cleanup();
});

describe('dataset service', () => {
  it('lists folders, data files and a count of images, never other files', async () => {
    const r = await call('listDirectory', { path: data });
    expect(r).toMatchObject({ ok: true, value: { path: data, parent: temp.dir, imageFiles: 5, entries: [{ name: 'sub', kind: 'dir' }] } });
    const sub = await call('listDirectory', { path: join(data, 'sub') });
    expect(sub.ok && sub.value.entries.map((e) => e.name)).toEqual(['notes.jsonl']);
  });

  it('refuses relative paths and unreadable folders as error values', async () => {
    expect(await call('listDirectory', { path: '../etc' })).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(await call('listDirectory', { path: join(data, 'nope') })).toMatchObject({ ok: false, error: { code: 'io-failure' } });
  });

  it('detects, imports, reports, pages, searches and serves thumbnails', async () => {
    expect(await call('detectDataset', { path: data })).toMatchObject({ ok: true, value: { format: 'image-folder' } });
    const datasetId = await importJob(data);
    const report = await call('datasetReport', { datasetId });
    expect(report).toMatchObject({ ok: true, value: { totals: { items: 5, usable: 5 }, categories: [{ category: 'ok', count: 5, label: 'OK' }] } });
    expect(report.ok && report.value.imageSides.find((b) => b.count > 0)).toEqual({ lo: 256, hi: 384, count: 5 });
    const page = await call('datasetItems', { datasetId, offset: 1, limit: 2 });
    expect(page.ok && [page.value.total, page.value.items.length]).toEqual([5, 2]);
    const found = await call('datasetItems', { datasetId, offset: 0, limit: 10, search: 'RED FOX' });
    expect(found.ok && found.value.items.map((i) => i.caption)).toEqual(['a red fox number 1', 'a red fox number 3']);
    const ids = page.ok ? page.value.items.map((i) => i.id) : [];
    const thumbs = await call('datasetThumbnails', { datasetId, ids: [...ids, 999_999] });
    expect(thumbs.ok && thumbs.value.thumbnails.map((t) => [t.id, t.dataUrl.slice(0, 23)])).toEqual(ids.map((id) => [id, 'data:image/webp;base64,']));
    const other = await call('datasetThumbnails', { datasetId: '00000000-0000-4000-8000-000000000000', ids });
    expect(other).toEqual({ ok: true, value: { thumbnails: [] } });
  });

  it('runs imports as runs with progress, and a cancelled import ends as cancelled', async () => {
    const prompts = put(temp.dir, 'prompts/prompts.txt', Array.from({ length: 200_000 }, (_, i) => `prompt ${i}`).join('\n'));
    const started = await call('importDataset', { path: prompts });
    if (!started.ok) throw new Error(started.error.message);
    const { jobId } = started.value;
    await expect.poll(() => events.some((e) => e.event === 'jobProgress' && e.payload.jobId === jobId && e.payload.done > 0), { timeout: 30_000 }).toBe(true);
    expect(await call('cancelJob', { jobId })).toEqual({ ok: true, value: { cancelled: true } });
    expect(await finished(jobId)).toMatchObject({ kind: 'importDataset', result: { ok: false, error: { code: 'cancelled' } } });
    const progress = events.filter((e) => e.event === 'jobProgress' && e.payload.jobId === jobId);
    expect(progress.at(-1)).toMatchObject({ payload: { kind: 'importDataset', total: 200_000 } });
  }, 60_000);

  it('prepares latents and caption states with a model folder as a job, then reuses them', async () => {
    const datasetId = await importJob(data);
    const model = await writeTinyFolder(join(temp.dir, 'model'));
    const prepare = async () => {
      const started = await call('prepareDataset', { datasetId, modelDir: model, resolution: 64 });
      if (!started.ok) throw new Error(started.error.message);
      return finished(started.value.jobId);
    };
    const first = await prepare();
    expect(first).toMatchObject({ kind: 'prepareDataset', result: { ok: true, value: { items: 5, resolution: 64, written: { latent: 5, 'text-states': 5, 'prompt-embedding': 5 }, stale: 0 } } });
    expect(first.result.ok && first.kind === 'prepareDataset' && first.result.value.promptEncoder).toMatch(/pooler_output/);
    expect(await prepare()).toMatchObject({ result: { ok: true, value: { written: {}, reused: { latent: 5, 'text-states': 5, 'prompt-embedding': 5 } } } });
    expect(await call('prepareDataset', { datasetId, modelDir: 'x', resolution: 7 })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  }, 120_000);
});
