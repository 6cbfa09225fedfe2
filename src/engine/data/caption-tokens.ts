// Exact caption lengths in tokens, counted with the model's own tokenizer when a dataset is
// prepared: recorded per item (replacing the import's lower bound) so the report flags captions
// the text encoder cuts, and the first few of those items named, so Prepare can say which.
import { DatasetRepository } from '../store/repositories/datasets';
import { DatasetReportRepository } from '../store/repositories/datasets-report';
import type { Workspace } from '../store/workspace';

export interface LongCaptions {
  /** Usable items whose caption has more tokens than the text encoder's window. */
  readonly count: number;
  /** The window, in tokens of the caption's own (77 minus bos and eos for CLIP). */
  readonly window: number;
  /** Keys of the first of them, with their token counts. */
  readonly first: readonly { readonly key: string; readonly tokens: number }[];
}

const PAGE = 1000;
const NAMED = 20;

export function recordCaptionTokens(ws: Workspace, datasetId: string, countTokens: (caption: string) => number, window: number): LongCaptions {
  const report = new DatasetReportRepository(ws.db);
  const repo = new DatasetRepository(ws.db);
  const first: { key: string; tokens: number }[] = [];
  let count = 0;
  for (let page = report.usableAfter(datasetId, 0, PAGE); page.length > 0; page = report.usableAfter(datasetId, page.at(-1)!.id, PAGE)) {
    const counts = page.flatMap((item) => (item.caption === null ? [] : [{ id: item.id, key: item.key, tokens: countTokens(item.caption) }]));
    repo.recordCaptionTokens(datasetId, counts);
    for (const c of counts.filter((x) => x.tokens > window)) {
      count++;
      if (first.length < NAMED) first.push({ key: c.key, tokens: c.tokens });
    }
  }
  return { count, window, first };
}
