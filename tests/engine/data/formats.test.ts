// Every dataset layout, from fixtures written here: detected automatically, overridable (format
// and caption column), and imported with the right captions, repeats and image links.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectDataset } from '../../../src/engine/data/detect';
import { importDataset } from '../../../src/engine/data/import-dataset';
import { DatasetReportRepository, type ItemRow } from '../../../src/engine/store/repositories/datasets-report';
import { openWorkspace, type Workspace } from '../../../src/engine/store/workspace';
import type { DatasetRequest } from '../../../src/engine/data/detect';
import { tempDir } from '../store/helpers';
import { put, solidImage } from './fixtures';

const temp = tempDir('aptp-data-formats-');
let ws: Workspace;
const job = { signal: new AbortController().signal, progress: () => {} };
let seed = 100;
const image = async (root: string, rel: string) => put(root, rel, await solidImage(rel.endsWith('.png') ? 'png' : 'jpeg', 300, 300, seed++));

function dir(name: string): string {
  const d = join(temp.dir, name);
  mkdirSync(d, { recursive: true });
  return d;
}

async function importItems(request: DatasetRequest): Promise<{ format: string; items: ItemRow[] }> {
  const summary = await importDataset(ws, request, {}, job);
  const { items } = new DatasetReportRepository(ws.db).items(summary.datasetId, { offset: 0, limit: 100 });
  return { format: summary.detection.format, items: items.sort((a, b) => a.key.localeCompare(b.key)) };
}

const captions = (items: ItemRow[]) => Object.fromEntries(items.map((i) => [i.key, i.caption]));

beforeAll(() => {
  ws = openWorkspace(dir('workspace'));
});
afterAll(() => {
  ws.close();
  temp.cleanup();
});

describe('dataset formats', () => {
  it('reads an image folder with .txt and .caption sidecars, nested', async () => {
    const root = dir('folder');
    await image(root, 'a.jpg');
    put(root, 'a.txt', 'first\n');
    await image(root, 'sub/b.png');
    put(root, 'sub/b.caption', 'second');
    const { format, items } = await importItems({ path: root });
    expect(format).toBe('image-folder');
    expect(captions(items)).toEqual({ 'a.jpg': 'first', 'sub/b.png': 'second' });
    expect(items.every((i) => i.category === 'ok' && i.width === 300)).toBe(true);
  });

  it('reads kohya <repeats>_<name> folders with their repeats', async () => {
    const root = dir('kohya');
    await image(root, '10_cat/x.jpg');
    put(root, '10_cat/x.txt', 'cat');
    await image(root, '3_dog/y.jpg');
    put(root, '3_dog/y.txt', 'dog');
    const { format, items } = await importItems({ path: root });
    expect(format).toBe('kohya');
    expect(items.map((i) => [i.key, i.repeats, i.caption])).toEqual([['10_cat/x.jpg', 10, 'cat'], ['3_dog/y.jpg', 3, 'dog']]);
  });

  it('reads HF imagefolder metadata.jsonl and maps another caption column', async () => {
    const root = dir('hf-jsonl');
    await image(root, 'train/0.jpg');
    await image(root, 'train/1.jpg');
    put(root, 'metadata.jsonl', ['{"file_name":"train/0.jpg","text":"zero","alt":"ALT0"}', '{"file_name":"train/1.jpg","text":"one","alt":"ALT1"}', '{"file_name":"train/2.jpg","text":"two"}', '{"file_name":"../escape.jpg","text":"x"}', 'not json', ''].join('\n'));
    const detected = await detectDataset({ path: root });
    expect(detected).toMatchObject({ format: 'hf-imagefolder', columns: ['file_name', 'text', 'alt'], mapping: { captionColumn: 'text' } });
    const { items } = await importItems({ path: root });
    expect(captions(items)).toMatchObject({ 'train/0.jpg': 'zero', 'train/1.jpg': 'one' });
    expect(items.filter((i) => i.category === 'missing-image').map((i) => i.key).sort()).toEqual(['../escape.jpg', 'train/2.jpg']);
    expect(items.filter((i) => i.category === 'bad-row').map((i) => i.key)).toEqual(['metadata.jsonl:5']);
    const remapped = await importItems({ path: root, mapping: { captionColumn: 'alt' } });
    expect(captions(remapped.items)).toMatchObject({ 'train/0.jpg': 'ALT0', 'train/1.jpg': 'ALT1' });
  });

  it('reads HF imagefolder metadata.csv with quoted captions spanning lines', async () => {
    const root = dir('hf-csv');
    await image(root, 'a.jpg');
    await image(root, 'b.jpg');
    put(root, 'metadata.csv', 'file_name,prompt\na.jpg,"a ""quoted"", comma, caption"\nb.jpg,"two\nlines"\n');
    const { format, items } = await importItems({ path: root });
    expect(format).toBe('hf-imagefolder');
    expect(captions(items)).toEqual({ 'a.jpg': 'a "quoted", comma, caption', 'b.jpg': 'two\nlines' });
  });

  it('reads COCO captions JSON joined to images, several captions per image', async () => {
    const root = dir('coco');
    await image(root, 'train2017/000001.jpg');
    await image(root, 'train2017/000002.jpg');
    const coco = {
      images: [{ id: 1, file_name: '000001.jpg' }, { id: 2, file_name: '000002.jpg' }],
      annotations: [{ id: 10, image_id: 1, caption: 'one a' }, { id: 11, image_id: 1, caption: 'one b' }, { id: 12, image_id: 2, caption: 'two' }, { id: 13, image_id: 9, caption: 'nowhere' }],
    };
    writeFileSync(join(dir('coco/annotations'), 'captions_train2017.json'), JSON.stringify(coco));
    const { format, items } = await importItems({ path: root });
    expect(format).toBe('coco');
    expect(items.map((i) => [i.key, i.imagePath, i.caption, i.category])).toEqual([
      ['annotation:10', 'train2017/000001.jpg', 'one a', 'ok'],
      ['annotation:11', 'train2017/000001.jpg', 'one b', 'ok'],
      ['annotation:12', 'train2017/000002.jpg', 'two', 'ok'],
      ['annotation:13', null, 'nowhere', 'missing-image'],
    ]);
  });

  it('reads a CC3M-style TSV with img2dataset folders, by key or by URL name', async () => {
    const root = dir('cc3m');
    put(root, 'train.tsv', 'a red car\thttp://x.test/p/car.jpg\nan apple\thttp://x.test/q/fruit.png\nnot downloaded\thttp://x.test/gone.jpg\n');
    await image(root, '00000/000000000.jpg');
    await image(root, '00001/fruit.png');
    const { format, items } = await importItems({ path: root });
    expect(format).toBe('cc3m-tsv');
    expect(items.map((i) => [i.key, i.imagePath, i.caption, i.category])).toEqual([
      ['row:1', '00000/000000000.jpg', 'a red car', 'ok'],
      ['row:2', '00001/fruit.png', 'an apple', 'ok'],
      ['row:3', null, 'not downloaded', 'missing-image'],
    ]);
  });

  it('reads a plain prompts file, picked as a file or found in a folder without images', async () => {
    const root = dir('prompts');
    const file = put(root, 'prompts.txt', Buffer.concat([Buffer.from('a castle at dusk\r\n\r\na bowl of fruit\n'), Buffer.from([0xff, 0xfe, 0x0a])]));
    const picked = await importItems({ path: file });
    expect(picked.format).toBe('prompts');
    expect(picked.items.map((i) => [i.key, i.caption, i.category])).toEqual([['line:1', 'a castle at dusk', 'ok'], ['line:3', 'a bowl of fruit', 'ok'], ['line:4', null, 'caption-not-utf8']]);
    expect((await detectDataset({ path: root })).format).toBe('prompts');
  });

  it('lets the user override a detected format', async () => {
    const root = dir('override');
    await image(root, '2_style/z.jpg');
    put(root, '2_style/z.txt', 'style');
    expect((await detectDataset({ path: root })).format).toBe('kohya');
    const { format, items } = await importItems({ path: root, format: 'image-folder' });
    expect(format).toBe('image-folder');
    expect(items[0]?.repeats).toBe(1);
  });

  it('refuses a folder with nothing it recognises, with an actionable message', async () => {
    const root = dir('empty');
    await expect(detectDataset({ path: root })).rejects.toMatchObject({ code: 'not-found', message: expect.stringMatching(/Pick the folder/) });
  });
});
