// The Dataset view's StudioApi handlers (host side: they map the data layer's results to the wire
// contract in src/shared): a folder browser that lists names only (directories and data files other
// than caption sidecars, never contents), detection, the report, pages of items and thumbnails.
// Import and preparation are runs (run-service.ts). A thumbnail is served
// only for an item of an imported dataset, from the workspace's cache.
import { homedir } from 'node:os';
import { readdir, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import type { StudioHandlers } from '../../shared/studio-api';
import { EngineError } from '../core/errors';
import { DatasetRepository } from '../store/repositories/datasets';
import { DatasetReportRepository } from '../store/repositories/datasets-report';
import type { Workspace } from '../store/workspace';
import { detectDataset } from '../data/detect';
import { datasetReport } from '../data/report';
import { isImageName, stemOf } from '../data/sources/common';
import { ThumbnailStore } from '../data/thumbnails';
import { describeFsError } from '../data/walk';

const MAX_ENTRIES = 5000;
const DATA_FILE = /\.(txt|jsonl|csv|tsv|json)$/i;

type DatasetHandlers = Pick<StudioHandlers, 'listDirectory' | 'detectDataset' | 'listDatasets' | 'datasetReport' | 'datasetItems' | 'datasetThumbnails'>;

async function listDirectory(requested: string | undefined): ReturnType<StudioHandlers['listDirectory']> {
  if (requested !== undefined && !isAbsolute(requested)) throw new EngineError('invalid-argument', `'${requested}' is not an absolute path; pick a folder from the browser.`, { path: requested });
  let dir: string;
  let dirents;
  try {
    dir = await realpath(requested ?? homedir());
    dirents = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new EngineError('io-failure', `Cannot list ${requested ?? homedir()}: ${describeFsError(error)}. Pick another folder.`, { path: requested });
  }
  const entries: { name: string; path: string; kind: 'dir' | 'file' }[] = [];
  const imageStems = new Set(dirents.filter((d) => isImageName(d.name)).map((d) => stemOf(d.name)));
  for (const d of dirents.sort((a, b) => a.name.localeCompare(b.name))) {
    if (d.name.startsWith('.') || entries.length > MAX_ENTRIES) continue;
    const path = join(dir, d.name);
    const isDir = d.isDirectory() || (d.isSymbolicLink() && (await stat(path).then((s) => s.isDirectory(), () => false)));
    if (isDir) entries.push({ name: d.name, path, kind: 'dir' });
    else if (DATA_FILE.test(d.name) && !imageStems.has(stemOf(d.name))) entries.push({ name: d.name, path, kind: 'file' });
  }
  const imageFiles = dirents.filter((d) => isImageName(d.name)).length;
  return { path: dir, parent: dirname(dir) === dir ? null : dirname(dir), entries: entries.slice(0, MAX_ENTRIES), imageFiles, truncated: entries.length > MAX_ENTRIES };
}

export const summaryOf = (d: { id: string; name: string; root: string; format: string; status: string; importedAt: string | null; dropped: Readonly<Record<string, number>> }) => ({
  id: d.id, name: d.name, root: d.root, format: d.format, status: d.status, importedAt: d.importedAt, dropped: { ...d.dropped },
});

/** Import and preparation are runs (worker processes): see engine/host/run-service.ts. */
export function datasetHandlers(workspace: () => Workspace): DatasetHandlers {
  return {
    listDirectory: ({ path }) => listDirectory(path),
    detectDataset: async ({ path }) => {
      const d = await detectDataset({ path });
      return { ...d, columns: d.columns ? [...d.columns] : undefined };
    },
    listDatasets: async () => ({ datasets: new DatasetRepository(workspace().db).list().map(summaryOf) }),
    datasetReport: async ({ datasetId }) => {
      const r = datasetReport(workspace(), datasetId);
      const bins = (b: typeof r.imageSides) => b.map((x) => ({ ...x, hi: Number.isFinite(x.hi) ? x.hi : null }));
      return { ...r, dataset: { ...summaryOf(r.dataset), options: r.dataset.options }, categories: [...r.categories], captionLengths: bins(r.captionLengths), imageSides: bins(r.imageSides) };
    },
    datasetItems: async ({ datasetId, offset, limit, category, flag, bin, search, sort, descending }) => {
      const query = { offset, limit, sort, descending, ...(category ? { category } : {}), ...(flag ? { flag } : {}), ...(bin ? { bin } : {}), ...(search ? { search } : {}) };
      const { total, items } = new DatasetReportRepository(workspace().db).items(datasetId, query);
      return {
        total,
        items: items.map((i) => ({
          id: i.id, key: i.key, caption: i.caption, captionChars: i.captionChars, width: i.width, height: i.height, repeats: i.repeats,
          category: i.category, detail: i.duplicateOf ? `same image as ${i.duplicateOf}` : i.problemDetail, hasImage: i.contentHash !== null,
          excluded: i.excluded, captionTokens: i.captionTokens,
        })),
      };
    },
    datasetThumbnails: async ({ datasetId, ids }) => {
      const ws = workspace();
      const store = ThumbnailStore.forWorkspace(ws.dir);
      const hashes = new DatasetReportRepository(ws.db).contentHashes(datasetId, ids);
      const thumbnails = await Promise.all([...hashes].map(async ([id, hash]) => ({ id, bytes: await store.get(hash) })));
      return { thumbnails: thumbnails.flatMap((t) => (t.bytes ? [{ id: t.id, dataUrl: `data:image/webp;base64,${t.bytes.toString('base64')}` }] : [])) };
    },
  };
}
