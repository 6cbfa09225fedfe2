// `aptp generate` as a user runs it (a real process): an image from a tiny diffusers folder with a
// progress bar, one-line usage errors with exit 2, and the loader's message for a folder that is
// not a model.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTinyFolder } from '../loader/tiny-folder';

const root = join(import.meta.dirname, '..', '..', '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'aptp-generate-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const argv = (args: readonly string[]): string[] => ['--import', 'tsx', join(root, 'src/cli/entry.ts'), 'generate', ...args];

function aptp(...args: string[]) {
  const r = spawnSync(process.execPath, argv(args), { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('aptp generate', () => {
  it('writes a PNG of the asked size from a diffusers folder, with progress per step', async () => {
    const model = await writeTinyFolder(join(work, 'model'));
    const out = join(work, 'img.png');
    const r = aptp('--model', model, '--prompt', 'a', '--negative-prompt', '!', '--steps', '3', '--seed', '5', '--width', '16', '--height', '32', '--scheduler', 'ddim', '--out', out);
    expect(r.err).toMatch(/generating \(ddim, seed 5\).*3\/3/);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(out);
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([16, 32, 'png']);
  });

  it.each([
    [['--prompt', 'a', '--out', 'x.png'], /--model is required/],
    [['--model', 'm', '--prompt', 'a', '--out', 'x.png', '--width', '5000'], /--width must be a whole number from 1 to 4096/],
    [['--model', 'm', '--prompt', 'a', '--out', 'x.png', '--tokenizer-flavor', 'fast'], /--tokenizer-flavor must be one of tokenizers, slow/],
    [['--model', 'm', '--prompt', 'a', '--out', 'x.png', '--scheduler', 'lms'], /--scheduler must be one of ddim, pndm, euler, dpmpp-2m/],
    [['--model', 'm', '--prompt', 'a', '--out', 'x.png', '--guidance', 'high'], /--guidance must be a number/],
    [['--model', 'm', '--out', 'x.png'], /--prompt is required/],
  ])('exits 2 with one line for bad arguments: %j', (args, message) => {
    const r = aptp(...args);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(message);
  });

  it('generates an odd latent size as diffusers does, and refuses a size off the VAE grid naming the nearest', async () => {
    const model = await writeTinyFolder(join(work, 'model-sizes'));
    const out = join(work, 'odd.png');
    const ok = aptp('--model', model, '--prompt', 'a', '--steps', '2', '--width', '18', '--height', '10', '--out', out, '--tokenizer-flavor', 'slow');
    expect(ok.code).toBe(0);
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height]).toEqual([18, 10]);
    const bad = aptp('--model', model, '--prompt', 'a', '--steps', '2', '--width', '17', '--out', join(work, 'bad.png'));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/width must be a multiple of 2 pixels .*got 17, nearest: 16 or 18/);
    expect(existsSync(join(work, 'bad.png'))).toBe(false);
  });

  it('--help states the size rule and the tokenizer flavours', () => {
    const r = aptp('--help');
    expect(r.out).toMatch(/--width .*a multiple of the VAE factor/);
    expect(r.out).toMatch(/--tokenizer-flavor .*transformers 4/);
  });

  it('explains a folder that is not a model', () => {
    const empty = join(work, 'empty');
    mkdirSync(empty);
    const r = aptp('--model', empty, '--prompt', 'a', '--out', join(work, 'no.png'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/is not a Stable Diffusion model: it has no model_index.json/);
    expect(existsSync(join(work, 'no.png'))).toBe(false);
  });

  it('stops on Ctrl-C between steps with exit 130 and writes no image', async () => {
    const model = await writeTinyFolder(join(work, 'model-cancel'));
    const out = join(work, 'cancelled.png');
    const child = spawn(process.execPath, argv(['--model', model, '--prompt', 'a', '--steps', '400', '--width', '16', '--height', '16', '--out', out]), { cwd: root });
    let err = '';
    let sent = false;
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (!sent && /generating/.test(err)) sent = child.kill('SIGINT');
      });
      child.on('exit', resolve);
    });
    expect(code).toBe(130);
    expect(err).toMatch(/cancelled/);
    expect(existsSync(out)).toBe(false);
  });
});
