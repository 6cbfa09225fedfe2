// `aptp data` as a user runs it: a real process importing a generated folder, reporting one
// problem category, preparing the latent and caption caches with a tiny diffusers folder's own
// encoders (then reusing them), and refusing bad usage.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyFolder } from '../models/sd/loader/tiny-folder';
import { tempDir } from '../store/helpers';
import { put, solidImage } from './fixtures';

const root = join(import.meta.dirname, '..', '..', '..');
const temp = tempDir('aptp-data-cli-');
const data = join(temp.dir, 'data');

function aptp(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/entry.ts'), 'data', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, APTP_WORKSPACE: join(temp.dir, 'workspace') },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  put(data, '1.jpg', await solidImage('jpeg', 300, 300, 1));
  put(data, '1.txt', 'one');
  put(data, '2.jpg', await solidImage('jpeg', 300, 300, 2));
  put(data, 'small.jpg', await solidImage('jpeg', 50, 50, 3));
  put(data, 'small.txt', 'tiny');
  await writeTinyFolder(join(temp.dir, 'model'));
});
afterAll(() => temp.cleanup());

describe('aptp data', () => {
  it('imports a folder and prints the detected format and the report', () => {
    const r = aptp('import', data);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/format\s+image-folder/);
    expect(r.out).toMatch(/items\s+3 \(1 usable/);
    expect(r.out).toMatch(/missing-caption\s+1/);
    expect(r.err).toMatch(/importing \[#+\] 3\/3 100%/);
  });

  it('lists the items of one problem category', () => {
    const r = aptp('report', '--problem', 'too-small');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/too-small: 1 item\(s\)\n\s+small\.jpg\s+50x50/);
  });

  it('prepares latents, text states and prompt embeddings at the model resolution, then reuses them', () => {
    const r = aptp('prepare', '--model', join(temp.dir, 'model'));
    expect(r.code).toBe(0);
    // sample_size x the VAE's factor (2 to the VAE's blocks less one), as diffusers' default height
    expect(r.out).toMatch(/1 usable items at 16px, center crop/);
    expect(r.out).toMatch(/latents\s+1 written, 0 already cached \(VAE vae:[0-9a-f]{32}/);
    expect(r.out).toMatch(/text states\s+1 written/);
    expect(r.out).toMatch(/prompt embeddings\s+1 written, 0 already cached \(the model's text encoder, pooler_output/);
    expect(r.err).toMatch(/preparing \[#+\] 1\/1 100%/);
    const again = aptp('prepare', '--model', join(temp.dir, 'model'), '--pixels');
    expect(again.out).toMatch(/latents\s+0 written, 1 already cached/);
    expect(again.out).toMatch(/pixels\s+1 written, 0 already cached/);
    expect(again.out).toMatch(/text states\s+0 written, 1 already cached/);
  }, 60_000);

  it('refuses bad usage with one line', () => {
    expect(aptp('frob')).toMatchObject({ code: 2, err: expect.stringMatching(/^aptp: unknown data subcommand 'frob'; run `aptp data --help`/) });
    expect(aptp('import', data, '--format', 'zip')).toMatchObject({ code: 2, err: expect.stringMatching(/--format 'zip' is not a format; use one of image-folder/) });
    expect(aptp('prepare')).toMatchObject({ code: 2, err: expect.stringMatching(/needs --model/) });
    expect(aptp('import', join(temp.dir, 'nope'))).toMatchObject({ code: 1, err: expect.stringMatching(/Cannot open .*nope/) });
  });
});
