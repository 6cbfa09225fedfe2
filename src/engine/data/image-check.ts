// Checks one image file: refuses what cannot be read, what is too large to read, and what claims
// more pixels than the limit (decided from the header, never decoding a decompression bomb); sniffs
// the real format from its bytes; hashes the content; fully decodes what passes (a truncated file
// fails here) into a small WebP thumbnail; and checks size and aspect ratio.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import sharp from 'sharp';
import type { ImageFormat, Problem, ValidationLimits } from './types';
import { describeFsError } from './walk';

export const THUMBNAIL_SIZE = 160;

export type SniffedFormat = ImageFormat | 'gif' | 'bmp' | 'tiff' | 'avif' | 'heif' | 'unknown';

/** The format a file really is, from its first bytes. */
export function sniffFormat(b: Uint8Array): SniffedFormat {
  const ascii = (from: number, to: number): string => String.fromCharCode(...b.subarray(from, to));
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b[0] === 0x89 && ascii(1, 4) === 'PNG') return 'png';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (ascii(0, 4) === 'GIF8') return 'gif';
  if (ascii(0, 2) === 'BM') return 'bmp';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'tiff';
  if (ascii(4, 8) === 'ftyp') return /avi[fs]/.test(ascii(8, 12)) ? 'avif' : 'heif';
  return 'unknown';
}

const EXTENSION_FORMATS: Readonly<Record<string, ImageFormat>> = { jpg: 'jpeg', jpeg: 'jpeg', jpe: 'jpeg', png: 'png', webp: 'webp' };

/** What checking found: the facts it could establish and the first problem, if any. */
export interface ImageCheck {
  readonly problem?: Problem;
  readonly format?: ImageFormat;
  readonly width?: number;
  readonly height?: number;
  readonly contentHash?: string;
  /** A small WebP of the decoded image, when it decoded. */
  readonly thumbnail?: Buffer;
}

type Facts = Omit<ImageCheck, 'problem'>;
const fail = (code: Problem['code'], detail: string, facts: Facts = {}): ImageCheck => ({ problem: { code, detail }, ...facts });

/** Reads at most `limit` bytes; refuses larger files before reading them. */
async function readBounded(path: string, limit: number): Promise<{ bytes: Buffer } | { problem: Problem }> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { problem: { code: 'unreadable', detail: describeFsError(error) } };
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { problem: { code: 'unreadable', detail: 'not a regular file' } };
    if (st.size > limit) return { problem: { code: 'oversized', detail: `${st.size} bytes is over the ${limit}-byte limit` } };
    return { bytes: await handle.readFile() };
  } catch (error) {
    return { problem: { code: 'unreadable', detail: describeFsError(error) } };
  } finally {
    await handle.close();
  }
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Content hash only (for re-import of a file whose stamp changed). */
export async function hashFile(path: string, limit: number): Promise<string | undefined> {
  const read = await readBounded(path, limit);
  return 'bytes' in read ? sha256(read.bytes) : undefined;
}

function sizeProblem(width: number, height: number, limits: ValidationLimits): Problem | undefined {
  const short = Math.min(width, height);
  if (short < limits.minSide) return { code: 'too-small', detail: `${width}x${height}: shorter side under ${limits.minSide}px` };
  const ratio = Math.max(width, height) / short;
  if (ratio > limits.maxAspect) return { code: 'extreme-aspect', detail: `${width}x${height}: aspect ratio ${ratio.toFixed(2)} over ${limits.maxAspect}` };
  return undefined;
}

function extensionProblem(path: string, format: ImageFormat): Problem | undefined {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return EXTENSION_FORMATS[ext] === format ? undefined : { code: 'extension-mismatch', detail: `named .${ext} but is ${format.toUpperCase()}` };
}

async function decodeThumbnail(bytes: Buffer, limits: ValidationLimits): Promise<Buffer> {
  return sharp(bytes, { failOn: 'truncated', limitInputPixels: limits.maxPixels })
    .rotate()
    .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside' })
    .webp({ quality: 70 })
    .toBuffer();
}

export async function checkImage(path: string, limits: ValidationLimits): Promise<ImageCheck> {
  const read = await readBounded(path, limits.maxFileBytes);
  if ('problem' in read) return { problem: read.problem };
  const bytes = read.bytes;
  if (bytes.length === 0) return fail('corrupt', 'empty file (0 bytes)');
  const sniffed = sniffFormat(bytes);
  if (sniffed === 'unknown') return fail('corrupt', 'not an image: the bytes match no image format');
  const contentHash = sha256(bytes);
  if (sniffed !== 'jpeg' && sniffed !== 'png' && sniffed !== 'webp') {
    return fail('unsupported-format', `${sniffed.toUpperCase()} image; convert it to JPEG, PNG or WebP`, { contentHash });
  }
  const format: ImageFormat = sniffed;
  let meta;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    return fail('corrupt', `unreadable header: ${(error as Error).message}`, { contentHash, format });
  }
  const facts = { contentHash, format, width: meta.width ?? 0, height: meta.height ?? 0 };
  if (facts.width * facts.height > limits.maxPixels) {
    return fail('oversized', `${facts.width}x${facts.height} is over the ${limits.maxPixels}-pixel limit; refused without decoding`, facts);
  }
  let thumbnail: Buffer;
  try {
    thumbnail = await decodeThumbnail(bytes, limits);
  } catch (error) {
    return fail('corrupt', `cannot decode: ${(error as Error).message}`, facts);
  }
  const problem = sizeProblem(facts.width, facts.height, limits) ?? extensionProblem(path, format);
  return { ...facts, thumbnail, ...(problem ? { problem } : {}) };
}
