// Managing and curating datasets on real files and a real workspace: finding one by id prefix
// (ambiguity named), deleting one (its records and only its caches; the user's folder and a
// shared cache entry stay), excluding items (out of usable pages and totals, kept on re-import),
// item pages searched by file name, sorted and filtered by a histogram bin, one item in full with
// its duplicate's original, keyset pages walking the index, and the export of the cleaned subset.
import { existsSync, readdirSync, readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteDataset } from '../../../src/engine/data/delete-dataset';
import { exportSubset } from '../../../src/engine/data/export-subset';
import { importDataset } from '../../../src/engine/data/import-dataset';
import { cacheKey, captionHash, PreparedCache } from '../../../src/engine/data/prepared-cache';
import { ThumbnailStore } from '../../../src/engine/data/thumbnails';
import { DatasetRepository } from '../../../src/engine/store/repositories/datasets';
import { DatasetReportRepository } from '../../../src/engine/store/repositories/datasets-report';
import { openWorkspace, type Workspace } from '../../../src/engine/store/workspace';
import { tempDir } from '../store/helpers';
import { put, solidImage } from './fixtures';

const temp = tempDir('aptp-data-manage-');
let ws: Workspace;
const job = { signal: new AbortController().signal, progress: () => {} };
const dir = (name: string) => join(temp.dir, name);
const tensor = { dtype: 'float32' as const, shape: [2], data: new Float32Array([1, 2]) };
let shared: Buffer;

beforeAll(async () => {
  ws = openWorkspace(dir('workspace'));
  shared = await solidImage('jpeg', 300, 300, 1);
  put(dir('one'), 'shared.jpg', shared);
  put(dir('one'), 'shared.txt', 'a shared caption');
  put(dir('one'), 'only.png', await solidImage('png', 400, 300, 2));
  put(dir('one'), 'only.txt', 'only in one, a rather longer caption than the others');
  put(dir('one'), 'zcopy.jpg', shared);
  put(dir('one'), 'zcopy.txt', 'the same image again');
  put(dir('one'), 'tiny.jpg', await solidImage('jpeg', 64, 64, 3));
  put(dir('one'), 'tiny.txt', 'tiny');
  put(dir('two'), 'x.jpg', shared);
  put(dir('two'), 'x.txt', 'a shared caption');
});
afterAll(() => {
  ws.close();
  temp.cleanup();
});

const report = () => new DatasetReportRepository(ws.db);
const repo = () => new DatasetRepository(ws.db);
const keys = (items: readonly { key: string }[]) => items.map((i) => i.key);

describe('datasets managed', () => {
  it('finds a dataset by id prefix and names an ambiguous prefix', () => {
    const now = new Date().toISOString();
    const insert = ws.db.prepare("INSERT INTO datasets (id, name, root, format, status, created_at) VALUES (?, ?, ?, 'prompts', 'ready', ?)");
    insert.run('abcd1111-0000-4000-8000-000000000000', 'first', '/p1', now);
    insert.run('abcd2222-0000-4000-8000-000000000000', 'second', '/p2', now);
    expect(repo().match('abcd1')).toMatchObject({ kind: 'one', dataset: { name: 'first' } });
    expect(repo().match('ABCD2')).toMatchObject({ kind: 'one', dataset: { name: 'second' } });
    const ambiguous = repo().match('abcd');
    expect(ambiguous.kind === 'ambiguous' && ambiguous.candidates.map((d) => d.name)).toEqual(['first', 'second']);
    expect(repo().match('second')).toMatchObject({ kind: 'one' });
    expect(repo().match('nope').kind).toBe('none');
    repo().remove('abcd1111-0000-4000-8000-000000000000');
    repo().remove('abcd2222-0000-4000-8000-000000000000');
  });

  it('deletes a dataset with the caches only it used, never its folder or a shared entry', async () => {
    const one = await importDataset(ws, { path: dir('one') }, {}, job);
    const two = await importDataset(ws, { path: dir('two') }, {}, job);
    const hashes = report().contentHashes(one.datasetId, report().items(one.datasetId, { offset: 0, limit: 10 }).items.map((i) => i.id));
    const cache = new PreparedCache(ws);
    const sharedHash = hashes.get(report().items(one.datasetId, { offset: 0, limit: 10, search: 'shared.jpg' }).items[0]!.id)!;
    const onlyHash = hashes.get(report().items(one.datasetId, { offset: 0, limit: 10, search: 'only.png' }).items[0]!.id)!;
    const entries = await Promise.all([
      cache.write(cacheKey('latent', sharedHash, 'vae', 64, 'center'), tensor),
      cache.write(cacheKey('latent', onlyHash, 'vae', 64, 'center'), tensor),
      cache.write(cacheKey('text-states', captionHash('a shared caption'), 'clip', 0, ''), tensor),
      cache.write(cacheKey('text-states', captionHash('the same image again'), 'clip', 0, ''), tensor),
    ]);
    const thumbs = ThumbnailStore.forWorkspace(ws.dir);
    expect(existsSync(thumbs.pathOf(onlyHash))).toBe(true);

    const removed = await deleteDataset(ws, one.datasetId);
    expect(removed).toMatchObject({ items: 4, cachedFiles: 2, thumbnails: 2 });
    const present = entries.map((e) => existsSync(join(cache.dir, e.path)));
    expect(present).toEqual([true, false, true, false]);
    expect(existsSync(thumbs.pathOf(onlyHash))).toBe(false);
    expect(existsSync(thumbs.pathOf(sharedHash))).toBe(true);
    expect(readdirSync(dir('one')).sort()).toEqual(['only.png', 'only.txt', 'shared.jpg', 'shared.txt', 'tiny.jpg', 'tiny.txt', 'zcopy.jpg', 'zcopy.txt']);
    expect(repo().get(one.datasetId)).toBeUndefined();
    expect(report().totals(two.datasetId).items).toBe(1);
    await expect(deleteDataset(ws, one.datasetId)).rejects.toThrow(/No dataset .* `aptp data list`/);
  });

  it('refuses to delete a dataset a run is writing', async () => {
    const two = repo().byRoot(dir('two'))!;
    const run = ws.runs.add({ kind: 'importDataset', config: {}, resource: `dataset:${two.root}` });
    await expect(deleteDataset(ws, two.id)).rejects.toThrow(new RegExp(`being written by run ${run.id.slice(0, 8)} \\(importDataset\\); cancel it first`));
    ws.runs.setStatus(run.id, 'cancelled');
    expect(repo().get(two.id)).toBeDefined();
  });
});

describe('curation', () => {
  let id: string;
  beforeAll(async () => {
    id = (await importDataset(ws, { path: dir('one') }, {}, job)).datasetId;
  });

  it('searches file names as well as captions, sorts by size and caption length, filters by a histogram bin', () => {
    expect(keys(report().items(id, { offset: 0, limit: 10, search: 'only.p' }).items)).toEqual(['only.png']);
    expect(keys(report().items(id, { offset: 0, limit: 10, search: 'same image' }).items)).toEqual(['zcopy.jpg']);
    expect(report().items(id, { offset: 0, limit: 10, search: 'zzz' }).total).toBe(0);
    expect(keys(report().items(id, { offset: 0, limit: 10, sort: 'size', descending: true }).items)).toEqual(['only.png', 'zcopy.jpg', 'shared.jpg', 'tiny.jpg']);
    expect(keys(report().items(id, { offset: 0, limit: 10, sort: 'caption' }).items)[0]).toBe('tiny.jpg');
    expect(keys(report().items(id, { offset: 0, limit: 10, bin: { of: 'side', lo: 0, hi: 128 } }).items)).toEqual(['tiny.jpg']);
    expect(keys(report().items(id, { offset: 0, limit: 10, bin: { of: 'caption', lo: 40, hi: null } }).items)).toEqual(['only.png']);
  });

  it('shows one item in full, a duplicate with its first-seen original', () => {
    const copy = report().items(id, { offset: 0, limit: 1, category: 'duplicate' }).items[0]!;
    const detail = report().item(id, copy.id)!;
    expect(detail).toMatchObject({ key: 'zcopy.jpg', captionPath: 'zcopy.txt', imageFormat: 'jpeg', original: { key: 'shared.jpg' } });
    expect(report().item(id, 999_999)).toBeUndefined();
  });

  it('excludes items from usable pages and totals, keeps the exclusion across a re-import, and includes them again', async () => {
    const only = report().items(id, { offset: 0, limit: 1, search: 'only.png' }).items[0]!;
    expect(report().totals(id)).toMatchObject({ usable: 2, excluded: 0 });
    expect(repo().setExcluded(id, [only.id], true)).toBe(1);
    expect(repo().setExcluded(id, [only.id], true)).toBe(0);
    expect(report().usableAfter(id, 0, 10).map((i) => i.key)).toEqual(['shared.jpg']);
    await importDataset(ws, { path: dir('one') }, {}, job);
    expect(report().totals(id)).toMatchObject({ usable: 1, excluded: 1 });
    expect(keys(report().items(id, { offset: 0, limit: 10, flag: 'excluded' }).items)).toEqual(['only.png']);
    expect(repo().setExcluded(id, [only.id], false)).toBe(1);
    expect(report().totals(id).usable).toBe(2);
  });

  it('pages usable items by walking the (dataset, id) index, never sorting per page', () => {
    const plan = ws.db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM dataset_items INDEXED BY dataset_items_by_dataset
      WHERE dataset_id = ? AND id > ? AND status != 'error' AND duplicate_of IS NULL AND excluded_at IS NULL ORDER BY id LIMIT ?`).all(id, 0, 10) as { detail: string }[];
    expect(plan.map((p) => p.detail).join('\n')).not.toMatch(/TEMP B-TREE/);
  });

  it('exports the cleaned subset atomically with sidecars, refusing a non-empty folder without force', async () => {
    const target = dir('export');
    const only = report().items(id, { offset: 0, limit: 1, search: 'only.png' }).items[0]!;
    repo().setExcluded(id, [only.id], true);
    const s = await exportSubset(ws, { datasetId: id, target }, job);
    expect(s).toMatchObject({ images: 1, changed: 0, excluded: 1 });
    expect(readdirSync(target).sort()).toEqual(['shared.jpg', 'shared.txt']);
    expect(readFileSync(join(target, 'shared.jpg')).equals(shared)).toBe(true);
    expect(readFileSync(join(target, 'shared.txt'), 'utf8')).toBe('a shared caption');
    await expect(exportSubset(ws, { datasetId: id, target }, job)).rejects.toThrow(/is not empty \(2 entries\).*--force/);
    await expect(exportSubset(ws, { datasetId: id, target: join(dir('one'), 'out') }, job)).rejects.toThrow(/inside the dataset's own folder/);
    repo().setExcluded(id, [only.id], false);
    utimesSync(join(dir('one'), 'shared.jpg'), new Date(), new Date(Date.now() + 10_000));
    const forced = await exportSubset(ws, { datasetId: id, target, force: true }, job);
    expect(forced).toMatchObject({ images: 1, changed: 1, excluded: 0 });
    expect(readdirSync(target).sort()).toEqual(['only.png', 'only.txt']);
    expect(readdirSync(temp.dir).filter((n) => n.includes('.partial-') || n.includes('.old-'))).toEqual([]);
  });

  it('leaves the target as it was when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(exportSubset(ws, { datasetId: id, target: dir('export'), force: true }, { signal: controller.signal, progress: () => {} })).rejects.toThrow(/cancel/i);
    expect(readdirSync(dir('export')).sort()).toEqual(['only.png', 'only.txt']);
    expect(readdirSync(temp.dir).filter((n) => n.includes('.partial-'))).toEqual([]);
  });
});
