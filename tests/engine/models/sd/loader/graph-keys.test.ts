// The loader and the component graphs agree: the graphs built from a config ask for exactly the
// parameters (diffusers keys and torch shapes) the loader checks checkpoints against, and a loaded
// folder's WeightSet serves every one of them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildClipTextEncoder } from '../../../../../src/engine/models/sd/clip/text-encoder';
import { parseClipTextConfig, parseUNetConfig, parseVaeConfig } from '../../../../../src/engine/models/sd/config';
import { type ExpectedParam, clipTextParams, openDiffusersFolder, unetParams, vaeParams } from '../../../../../src/engine/models/sd/loader';
import { buildUNet } from '../../../../../src/engine/models/sd/unet/unet';
import { shapeOnlyWeights } from '../../../../../src/engine/models/sd/unet/layers';
import { buildVaeDecoder, buildVaeEncoder } from '../../../../../src/engine/models/sd/vae/vae';
import { TINY_CLIP, TINY_UNET, TINY_VAE, writeTinyFolder } from './tiny-folder';

const o = { file: 'config.json', component: 'test' };
const sorted = (ps: readonly { name: string; shape: readonly number[] }[]): [string, number[]][] => [...new Map(ps.map((p) => [p.name, [...p.shape]])).entries()].sort(([a], [b]) => a.localeCompare(b));
const root = mkdtempSync(join(tmpdir(), 'aptp-keys-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('graph initializers vs expected parameters', () => {
  const sd2Unet = parseUNetConfig({ ...TINY_UNET, attention_head_dim: [2, 4], use_linear_projection: true, block_out_channels: [16, 32] }, o);

  it('UNet (conv and linear projections), CLIP text encoder, VAE encoder + decoder', () => {
    for (const config of [parseUNetConfig(TINY_UNET, o), sd2Unet]) {
      const built = buildUNet(config, { batch: 1, height: 8, width: 8, weights: shapeOnlyWeights() });
      expect(sorted(built.params)).toEqual(sorted(unetParams(config)));
    }
    const clip = parseClipTextConfig(TINY_CLIP, o);
    expect(sorted(buildClipTextEncoder(clip, { batch: 1, weights: shapeOnlyWeights() }).params)).toEqual(sorted(clipTextParams(clip)));
    const vae = parseVaeConfig(TINY_VAE, o);
    const enc = buildVaeEncoder(vae, { batch: 1, height: 16, width: 16, weights: shapeOnlyWeights() }).params;
    const dec = buildVaeDecoder(vae, { batch: 1, height: 2, width: 2, weights: shapeOnlyWeights() }).params;
    expect(sorted([...enc, ...dec])).toEqual(sorted(vaeParams(vae)));
  });

  it("a loaded folder's weights build the graphs with every initializer served from the file", async () => {
    const m = await openDiffusersFolder(await writeTinyFolder(join(root, 'm')));
    const built = buildUNet(m.unet, { batch: 1, height: 8, width: 8, weights: m.weights.unet.provider('float32') });
    const fromFile = built.graph.initializers.filter((i) => 'kind' in i.data && i.data.kind === 'file').map((i) => i.value.name);
    const expected: readonly ExpectedParam[] = unetParams(m.unet);
    expect(fromFile.length).toBe(expected.length);
  });
});
