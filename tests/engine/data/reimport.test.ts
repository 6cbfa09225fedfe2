// Re-importing a folder re-checks only what changed (mtime+size first, then content hash), drops
// rows for deleted files, and keeps the dataset's id; cancel stops an import and records it.
import { rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../src/engine/data/import-dataset';
import { DatasetRepository } from '../../../src/engine/store/repositories/datasets';
import { DatasetReportRepository } from '../../../src/engine/store/repositories/datasets-report';
import { openWorkspace, type Workspace } from '../../../src/engine/store/workspace';
import { tempDir } from '../store/helpers';
import { put, solidImage } from './fixtures';

const temp = tempDir('aptp-data-reimport-');
const root = join(temp.dir, 'data');
let ws: Workspace;
const job = { signal: new AbortController().signal, progress: () => {} };
const run = () => importDataset(ws, { path: root }, {}, job);

beforeAll(async () => {
  ws = openWorkspace(join(temp.dir, 'workspace'));
  for (const [i, name] of ['a', 'b', 'c'].entries()) {
    put(root, `${name}.jpg`, await solidImage('jpeg', 300, 300, i));
    put(root, `${name}.txt`, `caption ${name}`);
  }
});
afterAll(() => {
  ws.close();
  temp.cleanup();
});

describe('re-import', () => {
  it('checks everything the first time and nothing when nothing changed', async () => {
    const first = await run();
    expect(first).toMatchObject({ checked: 3, unchanged: 0, removed: 0 });
    const again = await run();
    expect(again).toMatchObject({ datasetId: first.datasetId, checked: 0, unchanged: 3, removed: 0 });
  });

  it('treats a touched but identical file as unchanged (by hash), a rewritten one as changed', async () => {
    utimesSync(join(root, 'a.jpg'), new Date(), new Date(Date.now() + 5000));
    put(root, 'b.jpg', await solidImage('jpeg', 400, 300, 9));
    const summary = await run();
    expect(summary).toMatchObject({ checked: 1, unchanged: 2 });
    const { items } = new DatasetReportRepository(ws.db).items(summary.datasetId, { offset: 0, limit: 10 });
    expect(items.find((i) => i.key === 'b.jpg')?.width).toBe(400);
    expect(await run()).toMatchObject({ checked: 0, unchanged: 3 });
  });

  it('picks up a changed caption, a deleted image and a new one', async () => {
    put(root, 'c.txt', 'a new caption for c');
    rmSync(join(root, 'a.jpg'));
    put(root, 'd.jpg', await solidImage('jpeg', 300, 300, 12));
    put(root, 'd.txt', 'caption d');
    const summary = await run();
    expect(summary).toMatchObject({ checked: 2, unchanged: 1, removed: 1 });
    const { items } = new DatasetReportRepository(ws.db).items(summary.datasetId, { offset: 0, limit: 10 });
    expect(Object.fromEntries(items.map((i) => [i.key, i.caption]))).toEqual({ 'b.jpg': 'caption b', 'c.jpg': 'a new caption for c', 'd.jpg': 'caption d' });
  });

  it('marks a duplicate only while its original is present', async () => {
    put(root, 'e.jpg', await solidImage('jpeg', 300, 300, 12));
    put(root, 'e.txt', 'same pixels as d');
    let summary = await run();
    expect(summary.duplicates).toBe(1);
    rmSync(join(root, 'd.jpg'));
    summary = await run();
    expect(summary.duplicates).toBe(0);
    expect(summary.categories).toEqual([{ category: 'ok', count: 3 }]);
  });

  it('stops when cancelled, records the dataset as cancelled, and resumes on the next import', async () => {
    for (let i = 0; i < 40; i++) put(root, `more/${i}.jpg`, await solidImage('jpeg', 260, 260, 50 + i));
    const abort = new AbortController();
    const seen: number[] = [];
    const cancelled = importDataset(ws, { path: root }, { concurrency: 1, batchSize: 4 }, {
      signal: abort.signal,
      progress: (p) => {
        seen.push(p.done);
        abort.abort();
      },
    });
    await expect(cancelled).rejects.toMatchObject({ code: 'cancelled' });
    const repo = new DatasetRepository(ws.db);
    const dataset = repo.byRoot(root);
    expect(dataset?.status).toBe('cancelled');
    const written = new DatasetReportRepository(ws.db).totals(dataset!.id).items;
    expect(written).toBeLessThan(43);
    const resumed = await run();
    expect(resumed.checked).toBe(43 - written);
    expect(resumed.totals.items).toBe(43);
    expect(repo.get(resumed.datasetId)?.status).toBe('ready');
  });
});
