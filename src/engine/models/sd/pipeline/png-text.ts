// PNG text chunks: what a generated image carries about how it was made, readable by any tool that
// reads them (ComfyUI, InvokeAI, AUTOMATIC1111 and image viewers use the same chunks). `withPngText`
// inserts the entries after IHDR (tEXt when the text is Latin-1, else iTXt in UTF-8, as Pillow
// does); `readPngText` reads tEXt and uncompressed iTXt back. Chunk CRCs are zlib's crc32.
import { crc32 } from 'node:zlib';
import { EngineError } from '../../../core/errors';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const LATIN1 = /^[\u0000-\u00ff]*$/;

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

function textChunk(keyword: string, text: string): Buffer {
  if (!/^[\u0020-\u007e\u00a1-\u00ff]{1,79}$/.test(keyword) || keyword !== keyword.trim()) {
    throw new EngineError('invalid-argument', `PNG text keyword '${keyword}' must be 1-79 Latin-1 characters without leading or trailing spaces.`, { keyword });
  }
  const key = Buffer.from(keyword, 'latin1');
  if (LATIN1.test(text)) return chunk('tEXt', Buffer.concat([key, Buffer.from([0]), Buffer.from(text, 'latin1')]));
  // iTXt: keyword, NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL, UTF-8 text.
  return chunk('iTXt', Buffer.concat([key, Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]));
}

function checkSignature(png: Buffer): void {
  if (png.length < 33 || !png.subarray(0, 8).equals(SIGNATURE) || png.toString('latin1', 12, 16) !== 'IHDR') {
    throw new EngineError('invalid-argument', 'Not a PNG file (no PNG signature followed by IHDR).', {});
  }
}

/** `png` with one text chunk per entry, placed right after IHDR. */
export function withPngText(png: Buffer, entries: Readonly<Record<string, string>>): Buffer {
  checkSignature(png);
  const afterHeader = 8 + 8 + png.readUInt32BE(8) + 4;
  const chunks = Object.entries(entries).map(([k, v]) => textChunk(k, v));
  return Buffer.concat([png.subarray(0, afterHeader), ...chunks, png.subarray(afterHeader)]);
}

function readTextChunk(type: string, data: Buffer): [string, string] | undefined {
  const nul = data.indexOf(0);
  if (nul <= 0) return undefined;
  const keyword = data.toString('latin1', 0, nul);
  if (type === 'tEXt') return [keyword, data.toString('latin1', nul + 1)];
  if (data[nul + 1] !== 0) return undefined; // compressed iTXt: not written here
  const language = data.indexOf(0, nul + 3);
  const translated = language < 0 ? -1 : data.indexOf(0, language + 1);
  return translated < 0 ? undefined : [keyword, data.toString('utf8', translated + 1)];
}

/** Every tEXt and uncompressed iTXt entry of `png`, by keyword (the first of a repeated keyword wins). */
export function readPngText(png: Buffer): Record<string, string> {
  checkSignature(png);
  const out: Record<string, string> = {};
  for (let at = 8; at + 12 <= png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    if (type === 'IEND') break;
    const entry = type === 'tEXt' || type === 'iTXt' ? readTextChunk(type, png.subarray(at + 8, at + 8 + length)) : undefined;
    if (entry && !(entry[0] in out)) out[entry[0]] = entry[1];
    at += 12 + length;
  }
  return out;
}
