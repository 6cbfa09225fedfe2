// PNG text chunks: what withPngText writes, an independent reader (sharp's libspng, metadata().comments)
// reads back, Latin-1 as tEXt and anything else as UTF-8 iTXt; the pixels are untouched; a chunk
// with a wrong CRC would make libspng refuse the file, so decoding it proves the CRCs.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { generationPngText, readPngText, withPngText } from '../../../../../src/engine/models/sd/pipeline';

async function tinyPng(): Promise<Buffer> {
  const rgb = Buffer.from(Array.from({ length: 4 * 3 * 3 }, (_, i) => (i * 37) % 256));
  return sharp(rgb, { raw: { width: 4, height: 3, channels: 3 } }).png().toBuffer();
}

describe('PNG text chunks', () => {
  it('are read back by libspng and by readPngText; pixels unchanged', async () => {
    const png = await tinyPng();
    const entries = { parameters: 'a fox\nSteps: 2, Seed: 7', aptp: '{"prompt":"café 東京 🦊"}', Software: 'APTP Studio' };
    const tagged = withPngText(png, entries);
    expect(readPngText(tagged)).toEqual(entries);
    const meta = await sharp(tagged).metadata();
    expect(Object.fromEntries((meta.comments ?? []).map((c) => [c.keyword, c.text]))).toEqual(entries);
    expect(await sharp(tagged).raw().toBuffer()).toEqual(await sharp(png).raw().toBuffer());
    // Latin-1 text goes in tEXt, the rest in iTXt.
    expect(tagged.includes(Buffer.from('tEXtparameters'))).toBe(true);
    expect(tagged.includes(Buffer.from('iTXtaptp'))).toBe(true);
  });

  it('refuses what is not a PNG and keywords PNG does not allow', async () => {
    expect(() => withPngText(Buffer.from('GIF89a....................................'), { a: 'b' })).toThrow(/Not a PNG/);
    expect(() => withPngText(Buffer.alloc(0), {})).toThrow(/Not a PNG/);
    const png = await tinyPng();
    expect(() => withPngText(png, { '': 'x' })).toThrow(/keyword/);
    expect(() => withPngText(png, { ['k'.repeat(80)]: 'x' })).toThrow(/keyword/);
    expect(() => withPngText(png, { ' lead': 'x' })).toThrow(/keyword/);
  });

  it('writes the settings as AUTOMATIC1111 parameters and as JSON', () => {
    const text = generationPngText({ prompt: 'a fox', negativePrompt: 'blur', seed: 7, steps: 2, guidance: 7.5, sampler: 'ddim', width: 64, height: 48, model: '/m/tiny-sd', elapsedMs: 12.6 });
    expect(text['parameters']).toBe('a fox\nNegative prompt: blur\nSteps: 2, Sampler: ddim, CFG scale: 7.5, Seed: 7, Size: 64x48, Model: tiny-sd');
    expect(JSON.parse(text['aptp'] ?? '')).toEqual({ prompt: 'a fox', negativePrompt: 'blur', seed: 7, steps: 2, guidance: 7.5, sampler: 'ddim', width: 64, height: 48, model: '/m/tiny-sd', elapsedMs: 13 });
    expect(generationPngText({ prompt: 'p', negativePrompt: '', seed: 1, steps: 1, guidance: 1, sampler: 'euler', width: 8, height: 8, model: 'C:\\m\\x.safetensors', elapsedMs: 0 })['parameters']).toBe('p\nSteps: 1, Sampler: euler, CFG scale: 1, Seed: 1, Size: 8x8, Model: x.safetensors');
  });
});
