// The streaming COCO reader: a generated large-ish captions file (about 10 MB: 20k images, 100k
// annotations with escapes, quotes, brackets and multi-byte text in captions, annotations before
// images) read element by element equals JSON.parse of the whole file, with 1 MiB reads and with
// 7-byte reads that split every token and UTF-8 sequence; the COCO source built on it joins and
// counts the same and stops when cancelled; truncated and non-object files are refused.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { streamArrays, type ArrayElement } from '../../../src/engine/data/json-arrays';
import { cocoSource } from '../../../src/engine/data/sources/coco';
import { tempDir } from '../store/helpers';
import { put } from './fixtures';

const temp = tempDir('aptp-data-json-');
afterAll(() => temp.cleanup());

const IMAGES = 20_000;
const ANNOTATIONS = 100_000;
const odd = ['plain', 'with "quotes"', 'back\\slash', 'brackets ] } [ {', 'comma, colon: done', 'naïve café 日本語 😀', 'tab\tnew\nline', '\u2028'];

function bigCoco(): { info: unknown; annotations: unknown[]; images: unknown[] } {
  const images = Array.from({ length: IMAGES }, (_, i) => ({ id: i + 1, file_name: `train/${String(i).padStart(6, '0')}.jpg`, width: 640, height: 480 }));
  const annotations = Array.from({ length: ANNOTATIONS }, (_, i) => ({ id: 1_000_000 + i, image_id: (i % IMAGES) + 1, caption: `caption ${i} ${odd[i % odd.length]}` }));
  return { info: { description: 'images: [not an array]', nested: { images: [1, 2] } }, annotations, images };
}

async function collect(file: string, keys: string[], chunkBytes?: number): Promise<{ items: ArrayElement[]; seen: Set<string> }> {
  const seen = new Set<string>();
  const items: ArrayElement[] = [];
  for await (const e of streamArrays(file, keys, seen, chunkBytes ? { chunkBytes } : {})) items.push(e);
  return { items, seen };
}

describe('streamArrays', () => {
  const file = join(temp.dir, 'captions.json');
  const coco = bigCoco();
  writeFileSync(file, JSON.stringify(coco, null, 1));

  it('yields every element of the wanted arrays, equal to JSON.parse, in file order', async () => {
    const { items, seen } = await collect(file, ['images', 'annotations']);
    expect(seen).toEqual(new Set(['images', 'annotations']));
    expect(items).toHaveLength(IMAGES + ANNOTATIONS);
    expect(items.filter((e) => e.key === 'annotations').map((e) => e.value)).toEqual(coco.annotations);
    expect(items.filter((e) => e.key === 'images').map((e) => e.value)).toEqual(coco.images);
    expect(items[ANNOTATIONS]).toMatchObject({ key: 'images', index: 0 });
  });

  it('gives the same elements when every read is 7 bytes', async () => {
    const small = join(temp.dir, 'small.json');
    const doc = { images: [{ id: 1, file_name: 'é.jpg' }, 'x', 3, null, [1, [2]]], annotations: odd.map((caption, id) => ({ id, image_id: 1, caption })), tail: '"]' };
    writeFileSync(small, `\ufeff${JSON.stringify(doc)}\n`);
    const { items } = await collect(small, ['images', 'annotations'], 7);
    expect(items.map((e) => e.value)).toEqual([...doc.images, ...doc.annotations]);
    const big = await collect(file, ['annotations'], 4099);
    expect(big.items.map((e) => e.value)).toEqual(coco.annotations);
  });

  it('refuses truncated, non-object and broken files', async () => {
    const cases: [string, RegExp][] = [
      ['{"images": [{"id": 1}, {"id": 2', /truncated/],
      ['[{"images": []}]', /not one object/],
      ['{"images": [] } {"x": 1}', /not one object|after the top-level/],
      ['{"images": [{"id": 1,}]}', /element 0 of 'images'/],
    ];
    for (const [text, why] of cases) {
      const bad = join(temp.dir, 'bad.json');
      writeFileSync(bad, text);
      await expect(collect(bad, ['images'])).rejects.toMatchObject({ code: 'corrupt-file', message: expect.stringMatching(why) });
    }
  });
});

describe('the COCO source on a large file', () => {
  it('counts and joins every annotation without parsing the file whole', async () => {
    const root = join(temp.dir, 'coco');
    put(root, 'train/000000.jpg', 'not decoded here');
    writeFileSync(join(root, 'captions.json'), JSON.stringify(bigCoco()));
    const source = cocoSource(root, join(root, 'captions.json'));
    expect(await source.count(new AbortController().signal)).toBe(ANNOTATIONS);
    let n = 0;
    let last: unknown;
    for await (const entry of source.entries(new AbortController().signal)) {
      if (n === 0) expect(entry).toMatchObject({ key: 'annotation:1000000', image: { rel: 'train/000000.jpg' }, caption: { kind: 'text', text: 'caption 0 plain' } });
      last = entry;
      n++;
    }
    expect(n).toBe(ANNOTATIONS);
    const stop = new AbortController();
    stop.abort();
    await expect(source.count(stop.signal)).rejects.toMatchObject({ code: 'cancelled' });
    expect(last).toMatchObject({ key: `annotation:${1_000_000 + ANNOTATIONS - 1}`, image: { rel: `train/${String((ANNOTATIONS - 1) % IMAGES).padStart(6, '0')}.jpg` } });
  }, 60_000);
});
