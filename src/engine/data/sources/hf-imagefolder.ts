// Hugging Face imagefolder: `metadata.jsonl` or `metadata.csv` (at the root or in split folders
// such as train/) with `file_name` and a caption column the user maps (`text`, `prompt` or
// `caption` by default). Rows are streamed; a row naming a missing image is reported, not fatal, and
// so is a row that cannot be read or names an image an earlier row already named (only the image
// names are held, to spot those). An empty metadata file is an error, not an empty dataset.
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EngineError } from '../../core/errors';
import { countLines, MAX_LINE_BYTES, readCsv, readLines } from '../lines';
import type { CaptionMapping, DatasetSource, Problem, SourceEntry } from '../types';
import { insideRoot, rowCaption } from './common';

export const METADATA_FILES = ['metadata.jsonl', 'metadata.csv'] as const;
export const DEFAULT_CAPTION_COLUMNS = ['text', 'prompt', 'caption'] as const;

/** The metadata files of an imagefolder: at the root, else one per split folder. */
export async function findMetadataFiles(root: string): Promise<string[]> {
  const atRoot = METADATA_FILES.map((f) => join(root, f)).filter((f) => existsSync(f));
  if (atRoot.length) return atRoot.slice(0, 1);
  const dirs = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory() && !d.name.startsWith('.'));
  return dirs.flatMap((d) => METADATA_FILES.map((f) => join(root, d.name, f)).filter((f) => existsSync(f)).slice(0, 1)).sort();
}

interface Row { readonly line: number; readonly fields: Readonly<Record<string, unknown>>; readonly utf8: boolean; readonly error?: string }

async function* jsonlRows(path: string): AsyncGenerator<Row> {
  for await (const l of readLines(path)) {
    if (l.text.trim() === '') continue;
    if (l.cut) {
      yield { line: l.line, fields: {}, utf8: l.utf8, error: `the row is ${l.bytes} bytes, over the ${MAX_LINE_BYTES}-byte limit` };
      continue;
    }
    try {
      const value: unknown = JSON.parse(l.text);
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
      yield { line: l.line, fields: value as Record<string, unknown>, utf8: l.utf8 };
    } catch (error) {
      yield { line: l.line, fields: {}, utf8: l.utf8, error: (error as Error).message };
    }
  }
}

async function* csvRows(path: string): AsyncGenerator<Row> {
  let header: readonly string[] | undefined;
  for await (const r of readCsv(path)) {
    if (r.error) {
      yield { line: r.line, fields: {}, utf8: r.utf8, error: r.error };
      continue;
    }
    if (!header) {
      header = r.fields.map((h) => h.trim());
      continue;
    }
    if (r.fields.length === 1 && r.fields[0] === '') continue;
    yield { line: r.line, fields: Object.fromEntries(header.map((h, i) => [h, r.fields[i]])), utf8: r.utf8 };
  }
}

export function metadataRows(path: string): AsyncGenerator<Row> {
  return path.endsWith('.csv') ? csvRows(path) : jsonlRows(path);
}

/** The caption column used: the mapping's, else the first default present in the row. */
export function pickCaptionColumn(fields: Readonly<Record<string, unknown>>, mapping: CaptionMapping): string | undefined {
  if (mapping.captionColumn) return mapping.captionColumn;
  return DEFAULT_CAPTION_COLUMNS.find((c) => c in fields);
}

/** The line that first named each image, to report later rows naming it again. */
type FirstRows = Map<string, number>;

function rowEntry(root: string, metadata: string, row: Row, mapping: CaptionMapping, firstRows: FirstRows): SourceEntry {
  const metaRel = metadata.slice(root.length + 1);
  const fileColumn = mapping.fileColumn ?? 'file_name';
  const name = row.fields[fileColumn];
  const rowKey = `${metaRel}:${row.line}`;
  const key = typeof name === 'string' && name ? `${dirname(metaRel) === '.' ? '' : `${dirname(metaRel)}/`}${name}` : rowKey;
  const bad = (code: Problem['code'], detail: string, at = key): SourceEntry => ({ key: at, caption: { kind: 'none' }, repeats: 1, problem: { code, detail } });
  if (row.error) return bad('bad-row', `${metaRel} line ${row.line}: ${row.error}`, rowKey);
  if (typeof name !== 'string' || !name) return bad('missing-image', `${metaRel} line ${row.line}: no '${fileColumn}' value`);
  const image = insideRoot(root, dirname(metadata), name);
  if (!image) return bad('missing-image', `${metaRel} line ${row.line}: '${name}' points outside the dataset folder`);
  const first = firstRows.get(image.rel);
  if (first !== undefined) return bad('duplicate-row', `${metaRel} line ${row.line}: '${name}' is already named on line ${first}; this row is not used. Keep one row per image`, rowKey);
  firstRows.set(image.rel, row.line);
  const column = pickCaptionColumn(row.fields, mapping);
  const value = column === undefined ? undefined : row.fields[column];
  const { caption, problem } = rowCaption(value === undefined || value === null ? undefined : String(value), row.utf8);
  const missing: Problem | undefined =
    caption.kind === 'none' && !problem
      ? { code: 'missing-caption', detail: `no '${column ?? DEFAULT_CAPTION_COLUMNS.join("'/'")}' column in this row; map the caption column` }
      : undefined;
  return { key: image.rel, image, caption, repeats: 1, problem: problem ?? missing };
}

async function refuseEmpty(metadata: string): Promise<void> {
  if ((await stat(metadata)).size > 0) return;
  throw new EngineError('corrupt-file', `${metadata} is empty (0 bytes): write one row per image (file_name and a caption), or remove it to import the images with their caption sidecars.`, { file: metadata });
}

export function hfImagefolderSource(root: string, mapping: CaptionMapping): DatasetSource {
  return {
    format: 'hf-imagefolder',
    async count() {
      let n = 0;
      for (const f of await findMetadataFiles(root)) n += await countLines(f);
      return n;
    },
    async *entries() {
      for (const metadata of await findMetadataFiles(root)) {
        await refuseEmpty(metadata);
        const firstRows: FirstRows = new Map();
        for await (const row of metadataRows(metadata)) yield rowEntry(root, metadata, row, mapping, firstRows);
      }
    },
  };
}
