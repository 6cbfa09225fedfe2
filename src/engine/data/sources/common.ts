// Helpers every format source shares: which file names are images, sidecar captions, kohya repeat
// folders, caption text that arrived as a possibly-invalid UTF-8 row, and resolving a path named by
// a metadata file without ever leaving the dataset's folder.
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { CaptionSource, Problem } from '../types';

/** Extensions treated as images: supported ones, and ones reported as unsupported formats. */
export const IMAGE_EXTENSIONS = new Set(['jpg', 'jpeg', 'jpe', 'png', 'webp', 'gif', 'bmp', 'tif', 'tiff', 'avif', 'heic', 'heif']);
export const CAPTION_EXTENSIONS = ['txt', 'caption'] as const;

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

export function stemOf(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf(sep));
  const dot = path.lastIndexOf('.');
  return dot > slash ? path.slice(0, dot) : path;
}

export const isImageName = (name: string): boolean => IMAGE_EXTENSIONS.has(extensionOf(name));

/** The sidecar caption of an image (`x.txt`, then `x.caption`), or none. */
export async function sidecarCaption(imagePath: string, imageRel: string): Promise<CaptionSource> {
  for (const ext of CAPTION_EXTENSIONS) {
    const path = `${stemOf(imagePath)}.${ext}`;
    const st = await stat(path).catch(() => undefined);
    if (st) return { kind: 'file', path, rel: `${stemOf(imageRel)}.${ext}` };
  }
  return { kind: 'none' };
}

export const MAX_KOHYA_REPEATS = 10_000;

/**
 * kohya folders are named `<repeats>_<name>`: the repeats, a problem when the count is outside
 * 1..MAX_KOHYA_REPEATS (the folder is still a kohya folder, its items are reported), or undefined
 * when the name is not of that form.
 */
export function kohyaRepeats(folderName: string): { repeats: number; problem?: Problem } | undefined {
  const match = /^(\d+)_(.+)$/.exec(folderName);
  if (!match) return undefined;
  const n = Number(match[1]);
  if (Number.isSafeInteger(n) && n >= 1 && n <= MAX_KOHYA_REPEATS) return { repeats: n };
  const detail = `folder '${folderName}' asks for ${match[1]} repeats; kohya repeat counts run from 1 to ${MAX_KOHYA_REPEATS}. Rename the folder`;
  return { repeats: 1, problem: { code: 'bad-repeats', detail } };
}

/** A line over the reader's cap, as the caption-too-long problem of its item (its text was cut). */
export function overlongLine(line: { readonly line: number; readonly bytes: number }): Problem {
  return { code: 'caption-too-long', detail: `line ${line.line} is ${line.bytes} bytes; a caption is at most a few kilobytes` };
}

/** A caption taken from a row; invalid UTF-8 in the row becomes the item's problem. */
export function rowCaption(text: string | undefined, utf8: boolean): { caption: CaptionSource; problem?: Problem } {
  if (text === undefined) return { caption: { kind: 'none' } };
  if (!utf8 && text.includes('\uFFFD')) {
    return { caption: { kind: 'none' }, problem: { code: 'caption-not-utf8', detail: 'the caption is not valid UTF-8; re-save the file as UTF-8' } };
  }
  return { caption: { kind: 'text', text } };
}

/** Resolves `name` against `base`; undefined when it would escape `root` (absolute or `..`). */
export function insideRoot(root: string, base: string, name: string): { path: string; rel: string } | undefined {
  if (isAbsolute(name)) return undefined;
  const path = resolve(base, name);
  const rel = relative(root, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return { path, rel: rel.split(sep).join('/') };
}
