// `aptp generate` on a single-file checkpoint, as a user runs it: it asks for what a single file
// cannot say (tokenizer, SD 2 prediction type), takes config overrides, and writes the image.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyFolder } from '../engine/models/sd/loader/tiny-folder';
import { writeTinyLdm } from '../engine/models/sd/loader/tiny-ldm';

const root = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'aptp-generate-file-'));
const checkpoint = join(work, 'tiny-sd2.safetensors');
const configs = join(work, 'configs.json');
let tokenizer = '';

beforeAll(async () => {
  await writeTinyLdm(checkpoint, { family: 'sd2' });
  tokenizer = join(await writeTinyFolder(join(work, 'folder')), 'tokenizer');
  writeFileSync(configs, JSON.stringify({ unet: { attention_head_dim: 2, norm_num_groups: 8 }, vae: { norm_num_groups: 4 }, textEncoder: { num_attention_heads: 2 } }));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function generate(...args: string[]) {
  const common = ['--model', checkpoint, '--prompt', 'a', '--steps', '2', '--width', '16', '--height', '16', '--seed', '3'];
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/entry.ts'), 'generate', ...common, ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('aptp generate --model FILE.safetensors', () => {
  it('asks for a tokenizer folder, which single files do not carry', () => {
    const r = generate('--configs', configs, '--prediction-type', 'epsilon', '--out', join(work, 'a.png'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/carries no tokenizer; pass --tokenizer DIR/);
  });

  it('asks for the prediction type of an SD 2.x file that does not say', () => {
    const r = generate('--configs', configs, '--tokenizer', tokenizer, '--out', join(work, 'b.png'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--prediction-type epsilon\|v_prediction/);
  });

  it('refuses a --configs file with unknown keys', () => {
    const bad = join(work, 'bad.json');
    writeFileSync(bad, JSON.stringify({ unetz: {} }));
    const r = generate('--configs', bad, '--out', join(work, 'c.png'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/must be a JSON object with any of the keys unet, textEncoder, vae, scheduler/);
  });

  it('writes the image once it has all it needs', async () => {
    const out = join(work, 'ok.png');
    const r = generate('--configs', configs, '--tokenizer', tokenizer, '--prediction-type', 'v_prediction', '--out', out);
    expect(r.code, r.err).toBe(0);
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([16, 16, 'png']);
  });
});
