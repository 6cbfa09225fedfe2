// The resolution a diffusers folder implies for preparation: unet sample_size times the VAE's
// downsampling factor read from its config (SD's four blocks: 8; the built-in world's three: 4),
// 8 when the VAE config says nothing, undefined without a UNet config.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { modelResolution } from '../../../src/engine/data/model-id';

const root = mkdtempSync(join(tmpdir(), 'aptp-model-resolution-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function folder(name: string, unet?: object, vae?: object): string {
  const dir = join(root, name);
  for (const [component, config] of [['unet', unet], ['vae', vae]] as const) {
    if (!config) continue;
    mkdirSync(join(dir, component), { recursive: true });
    writeFileSync(join(dir, component, 'config.json'), JSON.stringify(config));
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe('modelResolution', () => {
  it('multiplies the UNet sample size by the VAE factor of its config', async () => {
    expect(await modelResolution(folder('sd', { sample_size: 64 }, { block_out_channels: [128, 256, 512, 512] }))).toBe(512);
    expect(await modelResolution(folder('world', { sample_size: 16 }, { block_out_channels: [8, 16, 32] }))).toBe(64);
    expect(await modelResolution(folder('no-vae', { sample_size: 32 }))).toBe(256);
    expect(await modelResolution(folder('no-unet', undefined, { block_out_channels: [8, 16, 32] }))).toBeUndefined();
  });
});
