// Prepare's exact caption lengths: counted with a real CLIP tokenizer (the tiny test model's:
// every character is its own token), recorded over the import's lower bound, flagged in the
// report totals, and the long ones named with their counts; excluded items are not counted.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordCaptionTokens } from '../../../src/engine/data/caption-tokens';
import { importDataset } from '../../../src/engine/data/import-dataset';
import { loadClipTokenizer } from '../../../src/engine/models/sd/tokenizer';
import { DatasetRepository } from '../../../src/engine/store/repositories/datasets';
import { DatasetReportRepository } from '../../../src/engine/store/repositories/datasets-report';
import { openWorkspace, type Workspace } from '../../../src/engine/store/workspace';
import { writeTinyFolder } from '../models/sd/loader/tiny-folder';
import { tempDir } from '../store/helpers';
import { put } from './fixtures';

const temp = tempDir('aptp-data-tokens-');
let ws: Workspace;

beforeAll(async () => {
  ws = openWorkspace(join(temp.dir, 'workspace'));
  await writeTinyFolder(join(temp.dir, 'model'));
  put(temp.dir, 'prompts.txt', ['a a a', 'a'.repeat(80), 'aaaa aaaa', 'a'.repeat(76)].join('\n'));
});
afterAll(() => {
  ws.close();
  temp.cleanup();
});

describe('exact caption token counts', () => {
  it('records the tokenizer counts, flags and names captions over the window', async () => {
    const tokenizer = loadClipTokenizer(join(temp.dir, 'model', 'tokenizer'));
    const { datasetId } = await importDataset(ws, { path: join(temp.dir, 'prompts.txt') }, {}, { signal: new AbortController().signal, progress: () => {} });
    const report = new DatasetReportRepository(ws.db);
    expect(report.totals(datasetId).longCaptions).toBe(0);
    const last = report.items(datasetId, { offset: 0, limit: 10, search: 'line:4' }).items[0]!;
    new DatasetRepository(ws.db).setExcluded(datasetId, [last.id], true);

    const long = recordCaptionTokens(ws, datasetId, (c) => tokenizer.tokenize(c).length, tokenizer.maxLength - 2);
    expect(long).toEqual({ count: 1, window: 75, first: [{ key: 'line:2', tokens: 80 }] });
    expect(report.totals(datasetId).longCaptions).toBe(1);
    const rows = report.items(datasetId, { offset: 0, limit: 10 }).items.map((i) => [i.key, i.captionTokens, i.captionTokensExact]);
    expect(rows).toEqual([['line:1', 3, true], ['line:2', 80, true], ['line:3', 8, true], ['line:4', 1, false]]);
  });
});
