// The importer says what it found instead of importing something else: a single image is refused
// with its folder as the choice; a folder whose only metadata is nested (not a split folder) is
// refused with that folder and the --format flag as choices, unless the format is named; files a
// format leaves out are counted; new validation limits re-check every item; the duplicate's
// original is the first seen, not the alphabetically first; long captions are flagged.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectDataset } from '../../../src/engine/data/detect';
import { importDataset } from '../../../src/engine/data/import-dataset';
import { DatasetReportRepository } from '../../../src/engine/store/repositories/datasets-report';
import { openWorkspace, type Workspace } from '../../../src/engine/store/workspace';
import { tempDir } from '../store/helpers';
import { put, solidImage } from './fixtures';

const temp = tempDir('aptp-data-honesty-');
let ws: Workspace;
const job = { signal: new AbortController().signal, progress: () => {} };
const dir = (name: string) => join(temp.dir, name);

beforeAll(() => {
  ws = openWorkspace(dir('workspace'));
});
afterAll(() => {
  ws.close();
  temp.cleanup();
});

async function refusal(path: string): Promise<{ message: string; details: Record<string, unknown> }> {
  const error = await detectDataset({ path }).then(() => undefined, (e: unknown) => e as { message: string; details: Record<string, unknown> });
  expect(error, `${path} was accepted`).toBeDefined();
  return error!;
}

describe('importer honesty', () => {
  it('refuses a single image and offers the folder that holds it', async () => {
    const image = put(dir('single'), 'photo.jpg', await solidImage('jpeg', 300, 300, 1));
    put(dir('single'), 'other.png', await solidImage('png', 300, 300, 2));
    const e = await refusal(image);
    expect(e.message).toMatch(/photo\.jpg is a single image, not a dataset.*2 image file\(s\) there.*`aptp data import .*single`/);
    expect(e.details.choices).toEqual([{ label: 'Import the folder single (2 images)', path: dir('single') }]);
  });

  it('refuses a folder whose only metadata is in a nested, non-split folder, with both choices', async () => {
    const root = dir('outer');
    put(root, 'mine/pics/a.jpg', await solidImage('jpeg', 300, 300, 3));
    put(root, 'mine/pics/metadata.jsonl', '{"file_name": "a.jpg", "text": "a red square"}\n');
    const e = await refusal(root);
    expect(e.message).toMatch(/holds no metadata of its own, but mine\/pics\/metadata\.jsonl describes the images in mine\/pics\/.*an image folder, without the captions.*pass --format image-folder/);
    expect(e.details.choices).toEqual([
      { label: 'Import mine/pics (its metadata.jsonl)', path: join(root, 'mine/pics') },
      { label: 'Import this folder as image-folder anyway', path: root, format: 'image-folder' },
    ]);
    expect((await detectDataset({ path: root, format: 'image-folder' })).format).toBe('image-folder');
    expect((await detectDataset({ path: join(root, 'mine/pics') })).format).toBe('hf-imagefolder');
  });

  it('reads metadata in split folders (train/) as splits without asking, and asks for other one-level folders', async () => {
    put(dir('splits'), 'train/a.jpg', await solidImage('jpeg', 300, 300, 4));
    put(dir('splits'), 'train/metadata.jsonl', '{"file_name": "a.jpg", "text": "a"}\n');
    expect((await detectDataset({ path: dir('splits') })).format).toBe('hf-imagefolder');
    put(dir('named'), 'photos/a.jpg', await solidImage('jpeg', 300, 300, 4));
    put(dir('named'), 'photos/metadata.jsonl', '{"file_name": "a.jpg", "text": "a"}\n');
    expect((await refusal(dir('named'))).message).toMatch(/would read it as one split of a larger dataset.*--format hf-imagefolder/);
  });

  it('counts images no metadata row names, and caption files with no image', async () => {
    put(dir('hf'), 'a.jpg', await solidImage('jpeg', 300, 300, 5));
    put(dir('hf'), 'b.jpg', await solidImage('jpeg', 300, 300, 6));
    put(dir('hf'), 'c.jpg', await solidImage('jpeg', 300, 300, 7));
    put(dir('hf'), 'metadata.jsonl', '{"file_name": "a.jpg", "text": "a"}\n');
    expect((await importDataset(ws, { path: dir('hf') }, {}, job)).dropped).toEqual({ 'unlisted-image': 2 });
    put(dir('side'), 'a.jpg', await solidImage('jpeg', 300, 300, 5));
    put(dir('side'), 'a.txt', 'a');
    put(dir('side'), 'gone.txt', 'an image that was deleted');
    put(dir('side'), 'sub/gone2.caption', 'another');
    expect((await importDataset(ws, { path: dir('side') }, {}, job)).dropped).toEqual({ 'orphan-caption': 2 });
  });

  it('re-checks every item when the validation limits change', async () => {
    put(dir('limits'), 'small.jpg', await solidImage('jpeg', 200, 200, 8));
    put(dir('limits'), 'small.txt', 'small');
    const report = new DatasetReportRepository(ws.db);
    const first = await importDataset(ws, { path: dir('limits') }, {}, job);
    expect(report.categories(first.datasetId)).toEqual([{ category: 'too-small', count: 1 }]);
    const same = await importDataset(ws, { path: dir('limits') }, {}, job);
    expect(same).toMatchObject({ rechecked: false, checked: 0, unchanged: 1 });
    const relaxed = await importDataset(ws, { path: dir('limits') }, { limits: { minSide: 128 } }, job);
    expect(relaxed).toMatchObject({ rechecked: true, checked: 1, unchanged: 0 });
    expect(report.categories(first.datasetId)).toEqual([{ category: 'ok', count: 1 }]);
  });

  it('keeps the first-seen file as the original of a duplicate, whatever the names', async () => {
    const image = await solidImage('jpeg', 300, 300, 9);
    put(dir('dups'), 'zebra.jpg', image);
    put(dir('dups'), 'zebra.txt', 'z');
    const first = await importDataset(ws, { path: dir('dups') }, {}, job);
    put(dir('dups'), 'aardvark.jpg', image);
    put(dir('dups'), 'aardvark.txt', 'a');
    await importDataset(ws, { path: dir('dups') }, {}, job);
    const { items } = new DatasetReportRepository(ws.db).items(first.datasetId, { offset: 0, limit: 10, category: 'duplicate' });
    expect(items.map((i) => [i.key, i.duplicateOf])).toEqual([['aardvark.jpg', 'zebra.jpg']]);
  });

  it('flags captions certainly over the 77-token window at import', async () => {
    put(dir('long'), 'a.jpg', await solidImage('jpeg', 300, 300, 10));
    put(dir('long'), 'a.txt', Array.from({ length: 80 }, (_, i) => `word${String.fromCharCode(97 + (i % 26))}`).join(' '));
    put(dir('long'), 'b.jpg', await solidImage('jpeg', 300, 300, 11));
    put(dir('long'), 'b.txt', 'a short caption, with a comma');
    const s = await importDataset(ws, { path: dir('long') }, {}, job);
    expect(s.totals.longCaptions).toBe(1);
    const { items } = new DatasetReportRepository(ws.db).items(s.datasetId, { offset: 0, limit: 10, flag: 'long-caption' });
    expect(items.map((i) => [i.key, i.captionTokens, i.captionTokensExact])).toEqual([['a.jpg', 80, false]]);
  });
});
