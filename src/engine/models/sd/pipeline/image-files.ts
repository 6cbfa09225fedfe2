// Where `aptp generate` writes its images, decided and checked before anything is generated: the
// format its --out extension names (PNG with the settings in text chunks; JPEG or WebP with them in
// EXIF ImageDescription) or a refusal naming the ones written; one file per image, named by prompt
// when there are several prompts (`out-a-red-fox.png`) and numbered when a prompt has several images;
// a missing folder or an existing file (without overwrite) refused first. Files are written to a
// temporary name and renamed, so a crash never leaves a half-written file that looks valid.
import { existsSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import sharp from 'sharp';
import { writeFileAtomically } from '../../../core/atomic-file';
import { EngineError } from '../../../core/errors';
import { withPngText } from './png-text';

export type ImageFormat = 'png' | 'jpeg' | 'webp';
const FORMATS: Readonly<Record<string, ImageFormat>> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp' };
const WRITTEN = '.png (keeps the settings in text chunks), .jpg/.jpeg or .webp';

function refuse(message: string, details: Record<string, unknown>): never {
  throw new EngineError('invalid-argument', message, details);
}

/** The format `out`'s extension names; refuses any other extension (or none). */
export function imageFormatOf(out: string): ImageFormat {
  const ext = extname(out).toLowerCase();
  const format = FORMATS[ext];
  if (!format) refuse(ext ? `--out ${out}: ${ext} images are not written; use ${WRITTEN}.` : `--out ${out} has no extension, so its format is unknown; end it with ${WRITTEN}.`, { out });
  return format;
}

/** A prompt as a file-name part: lower-case words joined by '-', at most 48 characters. */
export function promptSlug(prompt: string): string {
  const slug = prompt.normalize('NFKD').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 48).replace(/-+$/, '');
  return slug || 'prompt';
}

/** The file of each image (prompt-major, as the pipeline returns them). */
export function imagePaths(out: string, prompts: readonly string[], perPrompt: number): string[] {
  if (prompts.length === 1 && perPrompt === 1) return [out];
  const ext = extname(out);
  const stem = out.slice(0, out.length - ext.length);
  const seen = new Map<string, number>();
  const names = prompts.map((p) => {
    if (prompts.length === 1) return stem;
    const slug = promptSlug(p);
    const n = (seen.get(slug) ?? 0) + 1;
    seen.set(slug, n);
    return `${stem}-${slug}${n > 1 ? `-${n}` : ''}`;
  });
  return names.flatMap((name) => Array.from({ length: perPrompt }, (_, i) => `${name}${perPrompt > 1 ? `-${i + 1}` : ''}${ext}`));
}

/** Refuses, before any work, a folder that does not exist and files that exist (unless `overwrite`). */
export function checkImagePaths(paths: readonly string[], overwrite: boolean): void {
  const folder = dirname(resolve(paths[0] ?? '.'));
  let isFolder = false;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    refuse(`The output folder ${folder} does not exist; create it first (mkdir -p ${folder}) or choose another --out.`, { folder });
  }
  if (!isFolder) refuse(`${folder} is not a folder; choose an --out inside an existing folder.`, { folder });
  const existing = overwrite ? [] : paths.filter((p) => existsSync(p));
  if (existing.length > 0) refuse(`${existing[0]}${existing.length > 1 ? ` and ${existing.length - 1} more` : ''} already exist${existing.length > 1 ? '' : 's'}; pass --force to overwrite, or choose another --out.`, { existing });
}

/** Encodes RGB as `format`, the settings in PNG text chunks or the EXIF ImageDescription. */
export async function encodeImage(rgb: Uint8Array, width: number, height: number, format: ImageFormat, text: Readonly<Record<string, string>>): Promise<Buffer> {
  const image = sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width, height, channels: 3 } });
  if (format === 'png') return withPngText(await image.png().toBuffer(), text);
  const described = image.withExif({ IFD0: { ImageDescription: text['parameters'] ?? '', Software: 'APTP Studio' } });
  return format === 'jpeg' ? described.jpeg({ quality: 95 }).toBuffer() : described.webp({ quality: 95 }).toBuffer();
}

export function writeImageFile(path: string, bytes: Buffer): void {
  writeFileAtomically(path, bytes);
}
