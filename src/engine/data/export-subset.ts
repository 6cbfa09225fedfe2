// Exports a dataset's cleaned subset as an image folder with caption sidecars: every usable item
// that is neither a duplicate nor excluded, its image copied byte for byte under its relative path
// and its caption written beside it as `<stem>.txt` (an image with several captions, as COCO has,
// is written once per caption as `<stem>_<n>.<ext>`). Atomic: everything goes into a temporary
// folder beside the target, renamed into place at the end, so a cancelled or failed export leaves
// the target as it was. A non-empty target is refused unless `force` (then replaced whole); a
// target inside the dataset's own folder is always refused. An image changed since import is left
// out and counted (re-import first), never exported unchecked.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, relative } from 'node:path';
import { EngineError } from '../core/errors';
import { throwIfCancelled, type JobContext } from '../jobs/job';
import { DatasetRepository, type DatasetRecord } from '../store/repositories/datasets';
import { DatasetReportRepository, type UsableItem } from '../store/repositories/datasets-report';
import type { Workspace } from '../store/workspace';

export interface ExportRequest {
  readonly datasetId: string;
  readonly target: string;
  readonly force?: boolean;
}

export interface ExportSummary {
  readonly target: string;
  readonly images: number;
  readonly captions: number;
  /** Images left out because their file changed (or vanished) since import. */
  readonly changed: number;
  /** Items not exported: excluded by the user. */
  readonly excluded: number;
}

const PAGE = 500;

async function checkTarget(dataset: DatasetRecord, target: string, force: boolean): Promise<void> {
  if (!isAbsolute(target)) throw new EngineError('invalid-argument', `The export folder must be an absolute path, got '${target}'.`, { target });
  const inside = relative(dataset.root, target);
  if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) {
    throw new EngineError('invalid-argument', `${target} is inside the dataset's own folder ${dataset.root}; the studio never writes there. Pick a folder outside it.`, { target });
  }
  const entries = await readdir(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw new EngineError('invalid-argument', `${target} is not a folder the export can write (${error.code ?? error.message}). Pick another.`, { target });
  });
  if (entries.length > 0 && !force) {
    throw new EngineError('invalid-argument', `${target} is not empty (${entries.length} entries); pick an empty or new folder, or pass --force to replace it.`, { target });
  }
  await mkdir(dirname(target), { recursive: true });
}

/** The file name an item's image gets: its relative path, numbered when its image has several captions. */
function exportName(item: UsableItem, copy: number): string {
  const rel = item.imagePath!;
  if (copy === 0) return rel;
  const ext = extname(rel);
  return `${rel.slice(0, rel.length - ext.length)}_${copy}${ext}`;
}

/**
 * The next image and sidecar names for `item` that nothing written uses yet: an image's second
 * caption, or `a.jpg` beside `a.png` (whose sidecars would both be `a.txt`), gets a numbered name.
 */
function freeNames(item: UsableItem, copies: Map<string, number>, written: Set<string>): { image: string; sidecar: string } {
  for (let copy = copies.get(item.imagePath!) ?? 0; ; copy++) {
    const image = exportName(item, copy);
    const sidecar = `${image.slice(0, image.length - extname(image).length)}.txt`;
    if (written.has(image) || written.has(sidecar)) continue;
    copies.set(item.imagePath!, copy + 1);
    written.add(image).add(sidecar);
    return { image, sidecar };
  }
}

async function unchangedSince(path: string, item: UsableItem): Promise<boolean> {
  const st = await stat(path).catch(() => undefined);
  return st !== undefined && st.size === item.imageBytes && st.mtimeMs === item.imageMtimeMs;
}

/** Moves `staging` to `target`, replacing what is there (already checked empty or forced). */
async function swapInto(staging: string, target: string): Promise<void> {
  const old = `${target}.old-${randomBytes(4).toString('hex')}`;
  const existed = await stat(target).then(() => true, () => false);
  if (existed) await rename(target, old);
  await rename(staging, target);
  if (existed) await rm(old, { recursive: true, force: true });
}

/** Checks an export can go ahead (the dataset has images, the target is allowed); cheap, so callers check before starting a run. */
export async function checkExport(ws: Workspace, r: ExportRequest): Promise<DatasetRecord> {
  const dataset = new DatasetRepository(ws.db).get(r.datasetId);
  if (!dataset) throw new EngineError('not-found', `No dataset ${r.datasetId} in this workspace; \`aptp data list\` shows them.`, { datasetId: r.datasetId });
  if (dataset.format === 'prompts') throw new EngineError('invalid-argument', `'${dataset.name}' is a prompts file: it has no images to export as an image folder.`, { datasetId: dataset.id });
  await checkTarget(dataset, r.target, r.force ?? false);
  return dataset;
}

export async function exportSubset(ws: Workspace, r: ExportRequest, job: JobContext): Promise<ExportSummary> {
  const dataset = await checkExport(ws, r);
  const report = new DatasetReportRepository(ws.db);
  const totals = report.totals(dataset.id);
  const staging = `${r.target}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  const copies = new Map<string, number>();
  const written = new Set<string>();
  let images = 0;
  let changed = 0;
  let done = 0;
  try {
    await mkdir(staging, { recursive: true });
    for (let page = report.usableAfter(dataset.id, 0, PAGE); page.length > 0; page = report.usableAfter(dataset.id, page.at(-1)!.id, PAGE)) {
      for (const item of page) {
        throwIfCancelled(job.signal);
        job.progress({ done: ++done, total: totals.usable, detail: item.key });
        if (!item.imagePath || item.caption === null) continue;
        const source = join(dataset.root, item.imagePath);
        if (!(await unchangedSince(source, item))) {
          changed++;
          continue;
        }
        const { image, sidecar } = freeNames(item, copies, written);
        const dest = join(staging, image);
        await mkdir(dirname(dest), { recursive: true });
        await copyFile(source, dest);
        await writeFile(join(staging, sidecar), item.caption);
        images++;
      }
    }
    await swapInto(staging, r.target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  return { target: r.target, images, captions: images, changed, excluded: totals.excluded };
}
