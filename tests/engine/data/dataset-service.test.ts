// The Dataset view's handlers through the real contract validation: the folder browser lists
// names only and refuses relative paths; import, report, item pages and search, and thumbnails
// served only for items of the dataset asked about.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetHandlers } from '../../../src/engine/data/dataset-service';
import { openWorkspace, type Workspace } from '../../../src/engine/store/workspace';
import type { Result } from '../../../src/shared/result';
import type { StudioHandlers, StudioInput, StudioMethod, StudioOutput } from '../../../src/shared/studio-api';
import { handleStudioRequest } from '../../../src/shared/studio-validate';
import { tempDir } from '../store/helpers';
import { put, solidImage } from './fixtures';

const temp = tempDir('aptp-data-service-');
const data = join(temp.dir, 'data');
let ws: Workspace;
let handlers: StudioHandlers;

beforeAll(async () => {
  ws = openWorkspace(join(temp.dir, 'workspace'));
  handlers = datasetHandlers(() => ws) as StudioHandlers;
  for (let i = 0; i < 5; i++) {
    put(data, `img-${i}.jpg`, await solidImage('jpeg', 300 + i, 300, i));
    put(data, `img-${i}.txt`, i % 2 ? `a red fox number ${i}` : `a blue bird number ${i}`);
  }
  put(data, 'sub/notes.jsonl', '{}');
  put(data, 'sub/secret.bin', 'never listed');
});
/** One request through the contract's validation, typed by its method. */
const call = <M extends StudioMethod>(method: M, input: StudioInput<M>) => handleStudioRequest(handlers, method, input) as Promise<Result<StudioOutput<M>>>;

afterAll(() => {
  ws.close();
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
    const imported = await call('importDataset', { path: data });
    if (!imported.ok) throw new Error(imported.error.message);
    const datasetId = imported.value.datasetId;
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
});
