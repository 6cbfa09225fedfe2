// `aptp generate`'s output handling as a user meets it (a real process): a missing folder, an
// existing file (without --force) and an extension it does not write are refused in one line
// (exit 2) before the model is even opened; --force overwrites; .png carries the settings in text
// chunks, .jpg and .webp are written as what they say with the settings in EXIF; several prompts get
// files named by prompt (numbered per image with --batch); a prompt past the text encoder's 77 tokens
// is warned about.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngText } from '../../src/engine/models/sd/pipeline';
import { writeTinyFolder } from '../engine/models/sd/loader/tiny-folder';

const root = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'aptp-generate-out-'));
let model: string;
beforeAll(async () => {
  model = await writeTinyFolder(join(work, 'tiny-sd'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function aptp(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/entry.ts'), 'generate', ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const base = (): string[] => ['--model', model, '--steps', '2', '--seed', '3', '--width', '16', '--height', '16', '--scheduler', 'ddim'];

describe('aptp generate output', () => {
  it.each([
    [['--out', join(work, 'missing', 'x.png')], /The output folder .*missing does not exist; create it first \(mkdir -p .*missing\) or choose another --out/],
    [['--out', join(work, 'x.gif')], /--out .*x\.gif: \.gif images are not written; use \.png \(keeps the settings in text chunks\), \.jpg\/\.jpeg or \.webp/],
    [['--out', join(work, 'noext')], /--out .*noext has no extension, so its format is unknown/],
  ])('refuses %j in one line before opening the model', (out, message) => {
    const r = aptp('--model', join(work, 'not-a-model'), '--prompt', 'a', ...out);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(message);
  });

  it('never overwrites without --force, and overwrites with it', () => {
    const out = join(work, 'kept.png');
    writeFileSync(out, 'the user\'s file');
    const refused = aptp(...base(), '--prompt', 'a', '--out', out);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/kept\.png already exists; pass --force to overwrite, or choose another --out/);
    expect(refused.err).not.toMatch(/generating/);
    expect(readFileSync(out, 'utf8')).toBe('the user\'s file');
    const forced = aptp(...base(), '--prompt', 'a', '--out', out, '--force');
    expect(forced.code, forced.err).toBe(0);
    expect(readPngText(readFileSync(out))['parameters']).toBe('a\nSteps: 2, Sampler: ddim, CFG scale: 7.5, Seed: 3, Size: 16x16, Model: tiny-sd');
  });

  it('writes the format the extension names, with the settings', async () => {
    for (const [ext, format] of [['jpg', 'jpeg'], ['jpeg', 'jpeg'], ['webp', 'webp'], ['PNG', 'png']] as const) {
      const out = join(work, `img.${ext}`);
      const r = aptp(...base(), '--prompt', 'a', '--negative-prompt', '!', '--out', out);
      expect(r.code, r.err).toBe(0);
      const meta = await sharp(out).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual([format, 16, 16]);
      if (format !== 'png') expect(meta.exif?.includes(Buffer.from('a\nNegative prompt: !\nSteps: 2'))).toBe(true);
    }
    expect(readPngText(readFileSync(join(work, 'img.PNG')))['aptp']).toContain('"negativePrompt":"!"');
  });

  it('names the files of several prompts by prompt, numbered per image', () => {
    const out = join(work, 'multi.png');
    const r = aptp(...base(), '--prompt', 'a red fox!', '--prompt', 'A red fox?', '--prompt', 'a', '--batch', '2', '--out', out);
    expect(r.code, r.err).toBe(0);
    const names = ['multi-a-red-fox-1.png', 'multi-a-red-fox-2.png', 'multi-a-red-fox-2-1.png', 'multi-a-red-fox-2-2.png', 'multi-a-1.png', 'multi-a-2.png'];
    expect(r.out.trim().split('\n')).toEqual(names.map((n) => join(work, n)));
    for (const n of names) expect(statSync(join(work, n)).size).toBeGreaterThan(0);
    expect(readPngText(readFileSync(join(work, 'multi-a-red-fox-2-1.png')))['parameters']).toMatch(/^A red fox\?\n/);
    expect(existsSync(out)).toBe(false);
  });

  it('warns about a prompt longer than the text encoder reads', () => {
    const r = aptp(...base(), '--prompt', Array.from({ length: 80 }, () => 'a').join(' '), '--out', join(work, 'long.png'));
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/warning: the prompt is 80 tokens; the text encoder reads 77 including start and end, so its last 5 token\(s\) are ignored/);
  });
});
