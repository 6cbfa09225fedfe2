// Writes RGB images as PNG with sharp, to a temporary name renamed into place, so a crash never
// leaves a half-written file that looks valid. Several images get -1, -2... before the extension.
import { extname } from 'node:path';
import sharp from 'sharp';
import { writeFileAtomically } from '../../../core/atomic-file';

/** RGB bytes as a PNG file's bytes (the studio sends these; writePngs writes them). */
export function encodePng(rgb: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** The paths `writePngs` will write for `count` images asked to go to `out`. */
export function outputPaths(out: string, count: number): string[] {
  if (count === 1) return [out];
  const ext = extname(out);
  const stem = ext ? out.slice(0, -ext.length) : out;
  return Array.from({ length: count }, (_, i) => `${stem}-${i + 1}${ext || '.png'}`);
}

export async function writePngs(out: string, images: readonly Uint8Array[], width: number, height: number): Promise<string[]> {
  const paths = outputPaths(out, images.length);
  for (const [i, rgb] of images.entries()) {
    const path = paths[i] as string;
    writeFileAtomically(path, await encodePng(rgb, width, height));
  }
  return paths;
}
