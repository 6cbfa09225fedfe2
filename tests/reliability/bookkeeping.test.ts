// Issue 13.6, engine side: metadata rows naming an image twice are reported (not overwritten), an
// empty metadata file or one with no rows is an error (never an empty "ready" dataset), kohya repeat
// counts out of range are reported, an extension mismatch keeps its own category, preparation
// checks cached files (size; sha256 on request) and rebuilds what is missing, truncated or changed,
// and temporaries of a killed run are removed on the next run while a live writer's are kept.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src/engine/data/import-dataset';
import { prepareDataset } from '../../src/engine/data/prepare-dataset';
import { PreparedCache } from '../../src/engine/data/prepared-cache';
import { isLeftoverTemp } from '../../src/engine/data/temp-files';
import { ThumbnailStore } from '../../src/engine/data/thumbnails';
import { DatasetRepository } from '../../src/engine/store/repositories/datasets';
import { put, solidImage } from '../engine/data/fixtures';
import { dataBench, job } from './data-fixtures';

const bench = dataBench('aptp-bookkeeping-');
afterAll(() => bench.close());
let seed = 500;
const image = async (root: string, rel: string, format: 'jpeg' | 'png' = 'jpeg') => put(root, rel, await solidImage(format, 300, 300, seed++));

/** The pid of a process that has exited (a writer killed mid-run). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

describe('metadata bookkeeping (13.6)', () => {
  it('reports a second row naming the same file_name instead of overwriting the first', async () => {
    const root = bench.dir('dup-rows');
    await image(root, 'a.jpg');
    await image(root, 'b.jpg');
    put(root, 'metadata.jsonl', ['{"file_name":"a.jpg","text":"first"}', '{"file_name":"b.jpg","text":"bee"}', '{"file_name":"a.jpg","text":"second"}'].join('\n'));
    const { items } = await bench.importItems({ path: root });
    expect(items.map((i) => [i.key, i.category, i.caption])).toEqual([['a.jpg', 'ok', 'first'], ['b.jpg', 'ok', 'bee'], ['metadata.jsonl:3', 'duplicate-row', null]]);
    expect(items[2]?.problemDetail).toMatch(/'a\.jpg' is already named on line 1/);
  });

  it.each([
    ['a 0-byte metadata.jsonl', 'metadata.jsonl', '', /empty \(0 bytes\)/],
    ['a metadata.csv with only a header', 'metadata.csv', 'file_name,text\n', /holds no items/],
    ['a prompts file of blank lines', 'prompts.txt', '\n\n  \n', /holds no items/],
  ])('refuses %s: an error, and the dataset is not ready', async (_label, name, text, message) => {
    const root = bench.dir(`empty-${name}`);
    put(root, name, text);
    await expect(importDataset(bench.ws, { path: root }, {}, job)).rejects.toMatchObject({ code: 'corrupt-file', message: expect.stringMatching(message) });
    const record = new DatasetRepository(bench.ws.db).list().find((d) => d.root.startsWith(root));
    expect(record?.status).toBe('failed');
  });

  it('reports kohya folders whose repeat count is out of range, and keeps the good ones', async () => {
    const root = bench.dir('kohya');
    for (const folder of ['0_cat', '20000_dog', '99999999999999999999_owl', '3_fox']) {
      await image(root, `${folder}/x.jpg`);
      put(root, `${folder}/x.txt`, folder);
    }
    const { items } = await bench.importItems({ path: root });
    expect(items.map((i) => [i.key, i.category, i.repeats])).toEqual([
      ['0_cat/x.jpg', 'bad-repeats', 1], ['20000_dog/x.jpg', 'bad-repeats', 1], ['3_fox/x.jpg', 'ok', 3], ['99999999999999999999_owl/x.jpg', 'bad-repeats', 1],
    ]);
    expect(items[0]?.problemDetail).toMatch(/asks for 0 repeats.*1 to 10000/);
  });

  it('counts an extension that does not match the content in its own category', async () => {
    const root = bench.dir('ext');
    await image(root, 'real.png', 'png');
    await image(root, 'png-inside.jpg', 'png');
    for (const n of ['real', 'png-inside']) put(root, `${n}.txt`, n);
    const { summary, items } = await bench.importItems({ path: root });
    expect(items.map((i) => [i.key, i.category])).toEqual([['png-inside.jpg', 'extension-mismatch'], ['real.png', 'ok']]);
    expect(summary.categories).toEqual(expect.arrayContaining([{ category: 'extension-mismatch', count: 1 }, { category: 'ok', count: 1 }]));
  });
});

describe('cache bookkeeping (13.6)', () => {
  it('rebuilds a missing or truncated cached file, and with sha256 verification a changed one', async () => {
    const root = bench.dir('prep');
    for (const n of [1, 2, 3]) {
      await image(root, `${n}.jpg`);
      put(root, `${n}.txt`, `caption ${n}`);
    }
    const { summary } = await bench.importItems({ path: root });
    const prepare = (verify?: 'sha256') => prepareDataset(bench.ws, summary.datasetId, { spec: { resolution: 64, crop: 'center', flip: false, seed: 0 }, ...(verify ? { verify } : {}) }, job);
    expect(await prepare()).toMatchObject({ items: 3, written: { pixels: 3 }, repaired: 0 });
    const files = filesUnder(new PreparedCache(bench.ws).dir).sort();
    expect(files).toHaveLength(3);
    truncateSync(files[0]!, 10);
    writeFileSync(files[1]!, 'gone');
    expect(await prepare()).toMatchObject({ written: { pixels: 2 }, reused: { pixels: 1 }, repaired: 2 });
    expect(statSync(files[0]!).size).toBe(statSync(files[2]!).size);
    const bytes = readFileSync(files[2]!);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    writeFileSync(files[2]!, bytes);
    expect(await prepare()).toMatchObject({ reused: { pixels: 3 }, repaired: 0 });
    expect(await prepare('sha256')).toMatchObject({ written: { pixels: 1 }, reused: { pixels: 2 }, repaired: 1 });
  });

  it('removes temporaries a killed run left in the caches, and keeps a live writer\'s', async () => {
    const cacheDir = new PreparedCache(bench.ws).dir;
    const thumbDir = ThumbnailStore.forWorkspace(bench.ws.dir).dir;
    const dead = deadPid();
    const leftovers = [put(cacheDir, `pixels/x/${'0'.repeat(64)}.npy.${dead}.0a1b2c.tmp`, 'half'), put(cacheDir, 'old-style.npy.a1b2c3d4e5f6.tmp', 'half'), put(thumbDir, `ab/${'ab'.repeat(32)}.webp.${dead}.ffee00.tmp`, 'half')];
    const live = put(cacheDir, `pixels/x/live.npy.${process.pid}.0a1b2c.tmp`, 'being written');
    expect(leftovers.map((p) => isLeftoverTemp(p.slice(p.lastIndexOf('/') + 1)))).toEqual([true, true, true]);
    const root = bench.dir('tmp-clean');
    await image(root, 'a.jpg');
    put(root, 'a.txt', 'a');
    const { summary } = await bench.importItems({ path: root });
    expect(existsSync(leftovers[2]!)).toBe(false);
    const prepared = await prepareDataset(bench.ws, summary.datasetId, { spec: { resolution: 64, crop: 'center', flip: false, seed: 0 } }, job);
    expect(prepared.leftoversRemoved).toBe(2);
    expect(leftovers.map((p) => existsSync(p))).toEqual([false, false, false]);
    expect(existsSync(live)).toBe(true);
  });
});
