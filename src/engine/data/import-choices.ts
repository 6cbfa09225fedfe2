// The importer's honesty checks: a path that is not plainly one dataset is refused with what was
// found and the choices the user has, never imported as something else. A single image file is
// not a dataset (its folder may be); a folder whose metadata sits only in a nested subfolder that
// is not a split folder (train/, test/...) is either that subfolder's dataset or, explicitly, an
// image folder. The error's details carry the choices (the studio shows them as buttons) and the
// message names the exact command or flag (the CLI prints it).
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { EngineError } from '../core/errors';
import { isImageName } from './sources/common';
import { METADATA_FILES } from './sources/hf-imagefolder';
import type { DatasetFormat } from './types';

/** One way forward the user can pick: import `path` (as `format`, when it must be forced). */
export interface ImportChoice {
  readonly label: string;
  readonly path: string;
  readonly format?: DatasetFormat;
}

/** Folder names Hugging Face imagefolder reads as splits of one dataset. */
export const SPLIT_FOLDERS = new Set(['train', 'test', 'validation', 'valid', 'val', 'dev', 'eval', 'training', 'testing']);
const MAX_DEPTH = 3;
const READ_AS: Readonly<Record<DatasetFormat, string>> = {
  'image-folder': 'an image folder', kohya: 'a kohya tree', 'hf-imagefolder': 'an imagefolder whose subfolders are splits', coco: 'COCO', 'cc3m-tsv': 'a TSV', prompts: 'a prompts file',
};
const MAX_FOLDERS = 2000;

export function needsChoice(message: string, path: string, choices: readonly ImportChoice[]): EngineError {
  return new EngineError('invalid-argument', message, { path, choices });
}

/** A single image file: refused, offering the folder that holds it. */
export async function refuseSingleImage(path: string): Promise<void> {
  if (!isImageName(path)) return;
  const folder = dirname(path);
  const images = (await readdir(folder).catch(() => [] as string[])).filter(isImageName).length;
  throw needsChoice(
    `${path} is a single image, not a dataset. Import the folder that holds it (${images} image file(s) there): \`aptp data import ${folder}\`.`,
    path,
    [{ label: `Import the folder ${basename(folder)} (${images} images)`, path: folder }],
  );
}

/** Metadata files in subfolders of `root` down to MAX_DEPTH, nearest first (not the root's own). */
export async function nestedMetadata(root: string): Promise<string[]> {
  const found: string[] = [];
  let level = [root];
  let seen = 0;
  for (let depth = 1; depth <= MAX_DEPTH && level.length > 0 && seen < MAX_FOLDERS; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      const dirents = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const d of dirents.filter((e) => e.isDirectory() && !e.name.startsWith('.')).sort((a, b) => a.name.localeCompare(b.name))) {
        const sub = join(dir, d.name);
        if (++seen > MAX_FOLDERS) break;
        const meta = METADATA_FILES.map((f) => join(sub, f)).find((f) => existsSync(f));
        if (meta) found.push(meta);
        next.push(sub);
      }
    }
    level = next;
  }
  return found;
}

/**
 * Refuses `root` when its only metadata lies in a nested folder that is not a split of it: the
 * detected `format` would read it as something else (an image folder without those captions, or
 * that folder as a split). `explicit`: the user named a format, so nothing is asked.
 */
export async function refuseNestedMetadata(root: string, format: DatasetFormat | undefined, explicit: boolean): Promise<void> {
  if (explicit || METADATA_FILES.some((f) => existsSync(join(root, f)))) return;
  const nested = await nestedMetadata(root);
  const outside = nested.filter((m) => !(dirname(m) === join(root, basename(dirname(m))) && SPLIT_FOLDERS.has(basename(dirname(m)).toLowerCase())));
  const first = outside[0];
  if (!first) return;
  const folder = dirname(first);
  const rel = relative(root, first);
  const asWhat = format === 'hf-imagefolder' ? 'one split of a larger dataset' : format ? `${READ_AS[format]}, without the captions in that file` : 'nothing (no data of its own)';
  const force = format ?? 'image-folder';
  throw needsChoice(
    `${root} holds no metadata of its own, but ${rel} describes the images in ${relative(root, folder)}/; importing ${root} would read it as ${asWhat}. ` +
      `Import that folder (\`aptp data import ${folder}\`), or pass --format ${force} to import ${root} as ${READ_AS[force]} anyway.`,
    root,
    [
      { label: `Import ${relative(root, folder)} (its ${basename(first)})`, path: folder },
      { label: `Import this folder as ${force} anyway`, path: root, format: force },
    ],
  );
}
