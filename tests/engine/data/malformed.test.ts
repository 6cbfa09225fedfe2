// The malformed corpus (30+ files the test writes: truncated and bogus images, zero bytes, wrong
// extensions, symlink loops, a pipe, an unreadable path, bad captions...) imports without a crash,
// every file lands in its report category, and the user's folder is left exactly as it was.
import { lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset, type ImportSummary } from '../../../src/engine/data/import-dataset';
import { DatasetReportRepository } from '../../../src/engine/store/repositories/datasets-report';
import { openWorkspace, type Workspace } from '../../../src/engine/store/workspace';
import { tempDir } from '../store/helpers';
import { writeMalformedCorpus, type MalformedCase } from './fixtures';

const temp = tempDir('aptp-data-malformed-');
const root = join(temp.dir, 'corpus');
let ws: Workspace;
let cases: MalformedCase[];
let skipped: string | undefined;
let summary: ImportSummary;
let before: string;

function listing(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel)).sort().flatMap((name) => {
    const path = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(dir, path));
    const line = `${path} ${st.mode} ${st.size} ${st.mtimeMs}`;
    return st.isDirectory() ? [line, ...listing(dir, path)] : [line];
  });
}

beforeAll(async () => {
  mkdirSync(root);
  ({ cases, skipped } = await writeMalformedCorpus(root));
  before = listing(root).join('\n');
  ws = openWorkspace(join(temp.dir, 'workspace'));
  const progress: number[] = [];
  summary = await importDataset(ws, { path: root }, { limits: { maxFileBytes: 2 * 1024 * 1024 } }, {
    signal: new AbortController().signal,
    progress: (p) => progress.push(p.done),
  });
  expect(progress.length).toBeGreaterThan(0);
});

afterAll(() => {
  ws?.close();
  temp.cleanup();
});

describe('malformed corpus', () => {
  it('has at least 30 malformed or edge-case files', () => {
    if (skipped) console.warn(`unreadable-permission case skipped: ${skipped}`);
    expect(cases.filter((c) => c.category !== 'ok').length).toBeGreaterThanOrEqual(30);
  });

  it('is detected as an image folder', () => {
    expect(summary.detection.format).toBe('image-folder');
  });

  it('puts every file in its category', () => {
    const report = new DatasetReportRepository(ws.db);
    const { items } = report.items(summary.datasetId, { offset: 0, limit: 1000 });
    const actual = Object.fromEntries(items.map((i) => [i.key, i.category]));
    const expected = Object.fromEntries(cases.map((c) => [c.file, c.category]));
    expect(actual).toEqual(expected);
  });

  it('explains each problem', () => {
    const { items } = new DatasetReportRepository(ws.db).items(summary.datasetId, { offset: 0, limit: 1000 });
    for (const item of items.filter((i) => i.category !== 'ok' && i.category !== 'duplicate')) expect(item.problemDetail, item.key).toBeTruthy();
    expect(items.find((i) => i.key === 'zz-copy-of-ok.jpg')?.duplicateOf).toBe('ok.jpg');
    expect(items.find((i) => i.key === 'bom-caption.jpg')?.caption).toBe('a cat with a BOM');
  });

  it('counts the report in total', () => {
    const byCategory = Object.fromEntries(summary.categories.map((c) => [c.category, c.count]));
    const expected: Record<string, number> = {};
    for (const c of cases) expected[c.category] = (expected[c.category] ?? 0) + 1;
    expect(byCategory).toEqual(expected);
    expect(summary.totals.items).toBe(cases.length);
  });

  it('never writes into the user folder', () => {
    expect(listing(root).join('\n')).toBe(before);
  });
});
