// Issue 13.5: the line and CSV readers. A file with no newline is read with its one line cut at the
// cap (and reported as too long), not held or re-copied whole; a CSV quote that never closes is
// reported on the line it opened, and every line after it is still read as its own record. Speed is
// measured in bench/data-readers.ts (throughput of these two cases at two sizes), not here.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES, readCsv, readLines, splitCsv, type CsvRecord, type TextLine } from '../../src/engine/data/lines';
import { put, solidImage } from '../engine/data/fixtures';
import { dataBench } from './data-fixtures';

const bench = dataBench('aptp-readers-');
afterAll(() => bench.close());

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('line reader (13.5)', () => {
  it('cuts a line over the cap, says how long it was, and reads the lines after it', async () => {
    const path = join(bench.root, 'long.txt');
    writeFileSync(path, `first\n${'x'.repeat(3 * MAX_LINE_BYTES + 5)}\r\nlast`);
    const lines: TextLine[] = await all(readLines(path));
    expect(lines.map((l) => [l.line, l.cut, l.bytes, l.text.length])).toEqual([[1, false, 5, 5], [2, true, 3 * MAX_LINE_BYTES + 6, MAX_LINE_BYTES], [3, false, 4, 4]]);
  });

  it('reads lines split across stream chunks, CR LF, a BOM and no final newline exactly', async () => {
    const path = join(bench.root, 'chunks.txt');
    const body = Array.from({ length: 5000 }, (_, i) => `prompt ${i} ${'é'.repeat(i % 40)}`);
    writeFileSync(path, `\uFEFF${body.join('\r\n')}`);
    const lines = await all(readLines(path));
    expect(lines.map((l) => l.text)).toEqual(body);
    expect(lines.every((l) => l.utf8 && !l.cut)).toBe(true);
  });

  it('imports a 64 MB prompts file with no newline as one caption-too-long item', async () => {
    const path = join(bench.dir('huge'), 'prompts.txt');
    writeFileSync(path, Buffer.alloc(64 * 2 ** 20, 'a'));
    const { items } = await bench.importItems({ path });
    expect(items.map((i) => [i.key, i.category])).toEqual([['line:1', 'caption-too-long']]);
    expect(items[0]?.problemDetail).toMatch(/67108864 bytes/);
  });
});

describe('CSV reader (13.5)', () => {
  const csv = (name: string, text: string): string => put(bench.root, name, text);

  it('reports an unmatched quote on its line and reads every following line as a record', async () => {
    const rows = ['file_name,text', 'a.jpg,one', 'b.jpg,"two', ...Array.from({ length: 40 }, (_, i) => `r${i}.jpg,row ${i}`)];
    const records: CsvRecord[] = await all(readCsv(csv('open.csv', rows.join('\n'))));
    expect(records[2]).toMatchObject({ line: 3, fields: [] });
    expect(records[2]?.error).toMatch(/unmatched quote.*line 3/);
    expect(records.filter((r) => !r.error).map((r) => r.fields[0])).toEqual(['file_name', 'a.jpg', ...Array.from({ length: 40 }, (_, i) => `r${i}.jpg`)]);
  });

  it('gives up on a quote still open after the record cap and re-reads the lines after it', async () => {
    const rows = ['h', '"opens', ...Array.from({ length: 100 }, (_, i) => `line ${i}`)];
    const records = await all(readCsv(csv('cap.csv', rows.join('\n')), 200));
    expect(records.map((r) => r.error ? `error@${r.line}` : r.fields[0])).toEqual(['h', 'error@2', ...Array.from({ length: 100 }, (_, i) => `line ${i}`)]);
  });

  it('still joins a quoted field that spans lines, with escaped quotes and delimiters inside', async () => {
    const records = await all(readCsv(csv('multi.csv', 'a,b\n1,"x, ""y""\nz"\n2,w\n')));
    expect(records.map((r) => [r.line, r.fields])).toEqual([[1, ['a', 'b']], [2, ['1', 'x, "y"\nz']], [4, ['2', 'w']]]);
    expect(splitCsv('"a""b",,c')).toEqual(['a"b', '', 'c']);
    expect(splitCsv('"open')).toBeUndefined();
  });

  it('imports an HF metadata.csv with an unmatched quote: one bad-row item naming the line, the other rows intact', async () => {
    const root = bench.dir('hf-quote');
    for (const n of [1, 2, 3]) put(root, `${n}.jpg`, await solidImage('jpeg', 300, 300, n));
    put(root, 'metadata.csv', 'file_name,text\n1.jpg,one\n2.jpg,"two\n3.jpg,three\n');
    const { items } = await bench.importItems({ path: root });
    expect(items.map((i) => [i.key, i.category, i.caption])).toEqual([['1.jpg', 'ok', 'one'], ['3.jpg', 'ok', 'three'], ['metadata.csv:3', 'bad-row', null]]);
    expect(items[2]?.problemDetail).toMatch(/line 3: unmatched quote/);
  });
});
