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

/** kohya folders are named `<repeats>_<name>`; returns the repeats, or undefined. */
export function kohyaRepeats(folderName: string): number | undefined {
  const match = /^(\d+)_(.+)$/.exec(folderName);
  const n = match ? Number(match[1]) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 10_000 ? n : undefined;
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
