// Test data the tests generate for themselves: real JPEG/PNG/WebP files made with sharp, caption
// sidecars, every dataset layout the importer reads, and a corpus of malformed files (truncated,
// bogus headers, zero bytes, wrong extensions, symlink loops, unreadable paths, bad captions...)
// with the report category each must land in.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';

export async function solidImage(format: 'jpeg' | 'png' | 'webp' | 'gif' | 'tiff', width: number, height: number, seed: number): Promise<Buffer> {
  const background = { r: (seed * 67) % 256, g: (seed * 131) % 256, b: (seed * 29) % 256 };
  return sharp({ create: { width, height, channels: 3, background } }).toFormat(format).toBuffer();
}

export function put(root: string, rel: string, bytes: string | Uint8Array): string {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}

/** A PNG whose IHDR claims `width` x `height` (CRC fixed unless `badCrc`). */
export function pngWithSize(png: Buffer, width: number, height: number, badCrc = false): Buffer {
  const out = Buffer.from(png);
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  if (!badCrc) out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

/** A JPEG whose SOF marker claims `width` x `height`. */
export function jpegWithSize(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  for (let i = 2; i < out.length - 9; ) {
    const marker = out[i + 1]!;
    const length = out.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xc2) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
    i += 2 + length;
  }
  throw new Error('no SOF marker');
}

/** A path root cannot read: a write-only sysctl (procfs checks mode bits even for root), else chmod 000. */
export function unreadablePath(dir: string): string | undefined {
  const candidate = '/proc/sys/vm/drop_caches';
  try {
    readFileSync(candidate);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EACCES') return candidate;
  }
  if (process.getuid?.() === 0) return undefined;
  const path = put(dir, 'secret.jpg', 'x');
  execFileSync('chmod', ['000', path]);
  return path;
}

export interface MalformedCase {
  readonly file: string;
  readonly category: string;
}

async function images(root: string, cases: MalformedCase[]): Promise<{ jpeg: Buffer; png: Buffer }> {
  const add = (file: string, bytes: string | Uint8Array, category: string, caption: string | Buffer | null = `a photo of ${file}`) => {
    put(root, file, bytes);
    if (caption !== null) put(root, file.replace(/\.[^.]+$/, '.txt'), caption);
    cases.push({ file, category });
  };
  const jpeg = await solidImage('jpeg', 320, 288, 1);
  const png = await solidImage('png', 300, 300, 2);
  const webp = await solidImage('webp', 400, 300, 3);
  add('ok.jpg', jpeg, 'ok');
  add('ok.png', png, 'ok');
  add('ok.webp', webp, 'ok');
  add('nested/deep/ok.jpg', await solidImage('jpeg', 512, 512, 4), 'ok');
  add('zz-copy-of-ok.jpg', jpeg, 'duplicate');
  add('truncated.jpg', jpeg.subarray(0, Math.floor(jpeg.length * 0.6)), 'corrupt');
  add('truncated.png', png.subarray(0, Math.floor(png.length * 0.6)), 'corrupt');
  add('truncated.webp', webp.subarray(0, Math.floor(webp.length * 0.5)), 'corrupt');
  add('header-only.jpg', jpeg.subarray(0, 120), 'corrupt');
  add('zero-width.png', pngWithSize(png, 0, 300), 'corrupt');
  add('bad-crc.png', pngWithSize(png, 400, 300, true), 'corrupt');
  add('zero-bytes.jpg', '', 'corrupt');
  add('text.jpg', 'this is not an image at all', 'corrupt');
  add('riff-garbage.webp', Buffer.concat([Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 '), Buffer.alloc(64, 7)]), 'corrupt');
  add('bomb.png', pngWithSize(png, 60000, 60000), 'oversized');
  add('bomb.jpg', jpegWithSize(jpeg, 65000, 65000), 'oversized');
  add('huge-file.jpg', Buffer.concat([jpeg, Buffer.alloc(3 * 1024 * 1024)]), 'oversized');
  add('png-named.jpg', await solidImage('png', 300, 260, 11), 'extension-mismatch');
  add('jpeg-named.png', await solidImage('jpeg', 300, 260, 12), 'extension-mismatch');
  add('small.jpg', await solidImage('jpeg', 100, 100, 5), 'too-small');
  add('one-pixel.png', await solidImage('png', 1, 1, 6), 'too-small');
  add('panorama.jpg', await solidImage('jpeg', 2400, 300, 7), 'extreme-aspect');
  add('tall.png', await solidImage('png', 260, 1400, 8), 'extreme-aspect');
  add('anim.gif', await solidImage('gif', 300, 300, 9), 'unsupported-format');
  add('scan.tif', await solidImage('tiff', 300, 300, 10), 'unsupported-format');
  add('old.bmp', Buffer.concat([Buffer.from('BM'), Buffer.alloc(80, 1)]), 'unsupported-format');
  add('new.avif', Buffer.concat([Buffer.from([0, 0, 0, 0x1c]), Buffer.from('ftypavif'), Buffer.alloc(40)]), 'unsupported-format');
  return { jpeg, png };
}

async function captions(root: string, cases: MalformedCase[]): Promise<void> {
  const image = async (file: string, seed: number) => put(root, file, await solidImage('jpeg', 300, 300, seed));
  let seed = 20;
  const add = async (file: string, caption: string | Buffer | null, category: string, sidecar = file.replace(/\.jpg$/, '.txt')) => {
    await image(file, seed++);
    if (caption !== null) put(root, sidecar, caption);
    cases.push({ file, category });
  };
  await add('no-caption.jpg', null, 'missing-caption');
  await add('empty-caption.jpg', '  \n\t', 'empty-caption');
  await add('latin1-caption.jpg', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6e, 0x6f, 0x69, 0x72]), 'caption-not-utf8');
  await add('overlong-utf8.jpg', Buffer.from([0x61, 0xc0, 0xaf, 0x62]), 'caption-not-utf8');
  await add('ten-megabytes.jpg', Buffer.alloc(10 * 1024 * 1024, 0x61), 'caption-too-long');
  await add('bom-caption.jpg', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a cat with a BOM')]), 'ok');
  await add('kohya-style.jpg', 'a dog', 'ok', 'kohya-style.caption');
  await add('unicode.jpg', '東京の夜景, café, emoji 🐱', 'ok');
  await image('caption-is-dir.jpg', seed++);
  mkdirSync(join(root, 'caption-is-dir.txt'));
  cases.push({ file: 'caption-is-dir.jpg', category: 'missing-caption' });
  await image('caption-loop.jpg', seed++);
  symlinkSync('caption-loop.txt', join(root, 'caption-loop.txt'));
  cases.push({ file: 'caption-loop.jpg', category: 'missing-caption' });
}

function specials(root: string, cases: MalformedCase[]): string | undefined {
  symlinkSync('loop-b.jpg', join(root, 'loop-a.jpg'));
  symlinkSync('loop-a.jpg', join(root, 'loop-b.jpg'));
  symlinkSync('self.jpg', join(root, 'self.jpg'));
  symlinkSync('does-not-exist.jpg', join(root, 'dangling.jpg'));
  symlinkSync('.', join(root, 'dir-loop'));
  execFileSync('mkfifo', [join(root, 'pipe.jpg')]);
  cases.push(...['loop-a.jpg', 'loop-b.jpg', 'self.jpg', 'dangling.jpg', 'pipe.jpg'].map((file) => ({ file, category: 'unreadable' })));
  put(root, '.hidden.jpg', 'hidden files are not items');
  const unreadable = unreadablePath(join(root, '..'));
  if (!unreadable) return 'no path on this machine is unreadable to this user';
  symlinkSync(unreadable, join(root, 'no-permission.jpg'));
  put(root, 'no-permission.txt', 'a caption for an image nobody can read');
  cases.push({ file: 'no-permission.jpg', category: 'unreadable' });
  return undefined;
}

/** Writes the malformed corpus into `root`; returns each file's expected category. */
export async function writeMalformedCorpus(root: string): Promise<{ cases: MalformedCase[]; skipped?: string }> {
  const cases: MalformedCase[] = [];
  await images(root, cases);
  await captions(root, cases);
  const skipped = specials(root, cases);
  return { cases, ...(skipped ? { skipped } : {}) };
}
