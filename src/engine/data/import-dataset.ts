// Imports a dataset into the workspace manifest: detects (or takes) the format, streams the
// source's entries through validation a few at a time, writes rows in batched transactions, and
// keeps nothing else in memory. Re-importing the same folder re-checks only what changed (every
// item, when the validation limits differ from the last import's), removes rows for files that are
// gone, re-marks duplicates and counts the files the format left out (dropped.ts). Cancel stops between entries; the rows
// already written stay. A source with no entries at all (an empty metadata or prompts file) is an
// error, never an empty "ready" dataset. Never writes into the user's folder (thumbnails go to the
// workspace, whose leftover temporaries from a killed run are removed first).
import { availableParallelism } from 'node:os';
import { realpath } from 'node:fs/promises';
import { basename } from 'node:path';
import { EngineError } from '../core/errors';
import { throwIfCancelled, type JobContext } from '../jobs/job';
import { DatasetReportRepository, type CategoryCount, type DatasetTotals } from '../store/repositories/datasets-report';
import { DatasetRepository, type ItemWrite } from '../store/repositories/datasets';
import type { Workspace } from '../store/workspace';
import { checkEntry, ImageChecker, type EntryOutcome } from './check-entry';
import { detectDataset, openSource, type DatasetRequest, type Detection } from './detect';
import { countDropped, type DropReason } from './dropped';
import { removeLeftoverTemps } from './temp-files';
import { ThumbnailStore } from './thumbnails';
import { DEFAULT_LIMITS, type SourceEntry, type ValidationLimits } from './types';

export interface ImportOptions {
  readonly name?: string;
  readonly limits?: Partial<ValidationLimits>;
  /** Entries validated at once (default: CPU count, at least 2). */
  readonly concurrency?: number;
  /** Rows per database transaction. */
  readonly batchSize?: number;
}

export interface ImportSummary {
  readonly datasetId: string;
  readonly detection: Detection;
  readonly checked: number;
  readonly unchanged: number;
  readonly removed: number;
  readonly duplicates: number;
  /** True when the validation limits changed since the last import, so every item was checked again. */
  readonly rechecked: boolean;
  readonly dropped: Partial<Record<DropReason, number>>;
  readonly totals: DatasetTotals;
  readonly categories: readonly CategoryCount[];
}

class BatchWriter {
  items: ItemWrite[] = [];
  touched: { id: number; mtimeMs?: number; bytes?: number }[] = [];
  checked = 0;
  unchanged = 0;

  constructor(private readonly repo: DatasetRepository, private readonly datasetId: string, private readonly generation: number, private readonly thumbs: ThumbnailStore, private readonly size: number) {}

  async add(outcome: EntryOutcome): Promise<void> {
    if (outcome.kind === 'unchanged') {
      this.unchanged++;
      this.touched.push(outcome);
    } else {
      this.checked++;
      if (outcome.thumbnail && outcome.item.contentHash) await this.thumbs.put(outcome.item.contentHash, outcome.thumbnail);
      this.items.push(outcome.item);
    }
    if (this.items.length + this.touched.length >= this.size) this.flush();
  }

  flush(): void {
    this.repo.writeBatch(this.datasetId, this.generation, this.items, this.touched);
    this.items = [];
    this.touched = [];
  }
}

/**
 * Runs `work` over `entries` with at most `limit` in flight and hands results to `sink` in entry
 * order (so manifest rows keep the source's order); rethrows the first failure.
 */
async function orderedPool<T, R>(entries: AsyncIterable<T>, limit: number, signal: AbortSignal, work: (entry: T) => Promise<R>, sink: (result: R) => Promise<void>): Promise<void> {
  const window: Promise<R>[] = [];
  try {
    for await (const entry of entries) {
      throwIfCancelled(signal);
      const p = work(entry);
      p.catch(() => {});
      window.push(p);
      if (window.length >= limit) await sink(await window.shift()!);
    }
    while (window.length > 0) await sink(await window.shift()!);
  } finally {
    await Promise.allSettled(window);
  }
}

function noItems(d: Detection): EngineError {
  const where = d.file ?? d.root;
  return new EngineError('corrupt-file', `${where} holds no items (it is empty, or has only blank lines or a header). Add the data, or pick another ${d.file ? 'file' : 'folder'}.`, { file: where, format: d.format });
}

export async function importDataset(ws: Workspace, request: DatasetRequest, options: ImportOptions, job: JobContext): Promise<ImportSummary> {
  const path = await realpath(request.path).catch(() => {
    throw new EngineError('not-found', `Cannot open ${request.path}. Pick an existing folder.`, { path: request.path });
  });
  const detection = await detectDataset({ ...request, path }, job.signal);
  const limits: ValidationLimits = Object.freeze({ ...DEFAULT_LIMITS, ...options.limits });
  const repo = new DatasetRepository(ws.db);
  const source = openSource(detection);
  const rootKey = detection.format === 'prompts' ? (detection.file ?? detection.root) : detection.root;
  const previous = repo.byRoot(rootKey);
  // Items checked under other limits (a smaller minimum side...) must be judged again, changed or not.
  const rechecked = previous !== undefined && JSON.stringify(previous.options.limits) !== JSON.stringify(limits);
  const record = repo.beginImport(rootKey, options.name ?? basename(rootKey), detection.format, { mapping: detection.mapping, file: detection.file, limits });
  const thumbnails = ThumbnailStore.forWorkspace(ws.dir);
  await removeLeftoverTemps(thumbnails.dir);
  const writer = new BatchWriter(repo, record.id, record.generation, thumbnails, options.batchSize ?? 256);
  const images = new ImageChecker(limits);
  try {
    const total = await source.count(job.signal);
    let done = 0;
    let lastReport = 0;
    const check = (entry: SourceEntry) => checkEntry(entry, rechecked ? undefined : repo.stamps(record.id, entry.key), limits, images).then((outcome) => ({ entry, outcome }));
    await orderedPool(source.entries(job.signal), options.concurrency ?? Math.max(2, availableParallelism()), job.signal, check, async ({ entry, outcome }) => {
      await writer.add(outcome);
      done++;
      if (Date.now() - lastReport > 100 || done === total) {
        lastReport = Date.now();
        job.progress({ done, total: Math.max(total, done), detail: entry.key });
      }
    });
    if (done === 0) throw noItems(detection);
    writer.flush();
  } catch (error) {
    writer.flush();
    repo.finishImport(record.id, error instanceof EngineError && error.code === 'cancelled' ? 'cancelled' : 'failed');
    throw error;
  }
  const removed = repo.removeUnseen(record.id, record.generation);
  const duplicates = repo.markDuplicates(record.id);
  const dropped = await countDropped(repo, record.id, detection.root, detection.format, job.signal);
  repo.finishImport(record.id, 'ready', dropped);
  const report = new DatasetReportRepository(ws.db);
  return {
    datasetId: record.id, detection, checked: writer.checked, unchanged: writer.unchanged, removed, duplicates, rechecked, dropped,
    totals: report.totals(record.id), categories: report.categories(record.id),
  };
}
