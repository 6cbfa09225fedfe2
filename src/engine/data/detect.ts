// Detects a dataset's format from what is in the folder (or file) the user picked, and builds the
// source that streams it. Every choice can be overridden: the format, the caption column mapping,
// and the annotations / TSV file. Detection reads names and the first row of metadata only.
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { EngineError } from '../core/errors';
import { throwIfCancelled } from '../jobs/job';
import { cc3mTsvSource, findTsv } from './sources/cc3m-tsv';
import { cocoSource, findCocoAnnotations } from './sources/coco';
import { isImageName, kohyaRepeats } from './sources/common';
import { folderSource } from './sources/folder';
import { refuseNestedMetadata, refuseSingleImage } from './import-choices';
import { findMetadataFiles, hfImagefolderSource, metadataRows, pickCaptionColumn } from './sources/hf-imagefolder';
import { checkPromptsFile, promptsSource } from './sources/prompts';
import { describeFsError, walkFiles } from './walk';
import type { CaptionMapping, DatasetFormat, DatasetSource } from './types';

export interface DatasetRequest {
  /** The folder (or, for a prompts file, the file) the user picked. */
  readonly path: string;
  readonly format?: DatasetFormat;
  readonly mapping?: CaptionMapping;
  /** COCO annotations JSON or CC3M TSV, when not the one detection finds. */
  readonly file?: string;
}

export interface Detection {
  /** The dataset's folder (a prompts file's folder for `prompts`). */
  readonly root: string;
  readonly format: DatasetFormat;
  readonly reason: string;
  /** The file the format reads (metadata, annotations, TSV, prompts), if any. */
  readonly file?: string;
  /** Columns seen in the first metadata row (HF imagefolder), for the mapping UI. */
  readonly columns?: readonly string[];
  readonly mapping: CaptionMapping;
}

const SCAN_LIMIT = 5000;

async function hasImage(root: string, signal: AbortSignal): Promise<boolean> {
  let seen = 0;
  for await (const e of walkFiles(root, signal)) {
    if (isImageName(e.rel)) return true;
    if (++seen >= SCAN_LIMIT) return false;
  }
  return false;
}

async function hfDetection(root: string, mapping: CaptionMapping): Promise<Detection | undefined> {
  const [file] = await findMetadataFiles(root);
  if (!file) return undefined;
  let columns: string[] = [];
  for await (const row of metadataRows(file)) {
    columns = Object.keys(row.fields);
    break;
  }
  const captionColumn = pickCaptionColumn(Object.fromEntries(columns.map((c) => [c, true])), mapping);
  return { root, format: 'hf-imagefolder', reason: `found ${basename(file)}`, file, columns, mapping: { fileColumn: 'file_name', ...mapping, ...(captionColumn ? { captionColumn } : {}) } };
}

async function folderDetection(root: string, signal: AbortSignal): Promise<Detection | undefined> {
  const dirs = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory());
  const kohya = dirs.filter((d) => kohyaRepeats(d.name) !== undefined);
  if (kohya.length > 0) return { root, format: 'kohya', reason: `folders named <repeats>_<name> (${kohya[0]!.name})`, mapping: {} };
  if (await hasImage(root, signal)) return { root, format: 'image-folder', reason: 'image files with caption sidecars', mapping: {} };
  const txt = (await readdir(root)).filter((n) => n.endsWith('.txt')).sort()[0];
  if (!txt) return undefined;
  await checkPromptsFile(join(root, txt), false);
  return { root, format: 'prompts', reason: `no images; one prompt per line in ${txt}`, file: join(root, txt), mapping: {} };
}

/** `explicit`: the user chose the format, so a folder that is not plainly one dataset is not questioned. */
async function detectInFolder(root: string, mapping: CaptionMapping, signal: AbortSignal, explicit: boolean): Promise<Detection> {
  const hf = await hfDetection(root, mapping);
  if (hf) {
    await refuseNestedMetadata(root, hf.format, explicit);
    return hf;
  }
  const coco = await findCocoAnnotations(root);
  if (coco) return { root, format: 'coco', reason: `found COCO captions ${basename(coco)}`, file: coco, mapping: {} };
  const tsv = await findTsv(root);
  if (tsv) return { root, format: 'cc3m-tsv', reason: `found ${basename(tsv)} (caption, url)`, file: tsv, mapping: {} };
  throwIfCancelled(signal);
  const folder = await folderDetection(root, signal);
  await refuseNestedMetadata(root, folder?.format, explicit);
  if (folder) return folder;
  throw new EngineError('not-found', `No dataset recognised in ${root}: no images, metadata.jsonl/.csv, COCO JSON, TSV or prompts file. Pick the folder that holds the data.`, { dir: root });
}

/**
 * Checks that `request.path` is something a dataset can be read from: a folder, or a file the user
 * chose as a prompts file (see checkPromptsFile). Cheap: the API edge calls it before starting an
 * import job. Says whether it is a file.
 */
export async function checkDatasetPath(request: Pick<DatasetRequest, 'path' | 'format'>): Promise<{ isFile: boolean }> {
  const st = await stat(request.path).catch((error: unknown) => {
    throw new EngineError('not-found', `Cannot open ${request.path}: ${describeFsError(error)}. Pick an existing folder.`, { path: request.path });
  });
  if (st.isDirectory()) return { isFile: false };
  if (!st.isFile()) throw new EngineError('invalid-argument', `${request.path} is neither a folder nor a file. Pick a dataset folder or a prompts file.`, { path: request.path });
  if (request.format && request.format !== 'prompts') {
    throw new EngineError('invalid-argument', `${request.path} is a file; only the prompts format reads a single file. Pick its folder instead.`, { path: request.path });
  }
  if (!request.format) await refuseSingleImage(request.path);
  await checkPromptsFile(request.path, request.format === 'prompts');
  return { isFile: true };
}

/** What `request` is: the detected format, or the one asked for with its files located. */
export async function detectDataset(request: DatasetRequest, signal: AbortSignal = new AbortController().signal): Promise<Detection> {
  const mapping = request.mapping ?? {};
  if ((await checkDatasetPath(request)).isFile) {
    return { root: dirname(request.path), format: 'prompts', reason: 'a single text file: one prompt per line', file: request.path, mapping };
  }
  const detected = await detectInFolder(request.path, mapping, signal, request.format !== undefined).catch((error: unknown) => {
    if (request.format) return undefined;
    throw error;
  });
  if (!request.format || request.format === detected?.format) return { ...detected!, ...(request.file ? { file: request.file } : {}) };
  return { root: request.path, format: request.format, reason: 'chosen by the user', ...(request.file ? { file: request.file } : {}), mapping };
}

/** The streaming source for a detection. */
export function openSource(d: Detection): DatasetSource {
  switch (d.format) {
    case 'image-folder':
      return folderSource(d.root, false);
    case 'kohya':
      return folderSource(d.root, true);
    case 'hf-imagefolder':
      return hfImagefolderSource(d.root, d.mapping);
    case 'coco':
      return cocoSource(d.root, d.file);
    case 'cc3m-tsv':
      return cc3mTsvSource(d.root, d.file);
    case 'prompts':
      if (!d.file) throw new EngineError('invalid-argument', `The prompts format needs a text file; pick the file itself.`, { dir: d.root });
      return promptsSource(d.file);
  }
}
