// The keys and shapes the component builders ask for (which the loader checks checkpoints against)
// are exactly a hand-written reading of diffusers' state dicts (diffusers-keys.ts), for the real
// SD 1.5 / 2.1 UNets and tiny CLIP / VAE configs.
import { describe, expect, it } from 'vitest';
import { clipTextParams, unetParams, vaeParams } from './diffusers-keys';
import { presetUNetConfig } from '../../../../../src/engine/models/sd/structure/presets';
import { clipParamSpecs, unetParamSpecs, vaeParamSpecs } from '../../../../../src/engine/models/sd/structure/summary';
import type { ParamSpec } from '../../../../../src/engine/models/sd/unet/layers';
import { tinyClipConfig, tinyUNetConfig, tinyVaeConfig } from '../unet/helpers';

const asMap = (specs: readonly ParamSpec[]): Map<string, string> => new Map(specs.map((s) => [s.name, s.shape.join('x')]));

describe('builder parameter specs match the loader expectations', () => {
  it.each(['sd15', 'sd21'] as const)('UNet %s', (which) => {
    const config = presetUNetConfig(which);
    expect(asMap(unetParamSpecs(config))).toEqual(asMap(unetParams(config)));
  });

  it('tiny UNet with layers_per_block 1 and per-block heads', () => {
    const config = tinyUNetConfig({ layers_per_block: 1, attention_head_dim: [2, 4], use_linear_projection: true });
    expect(asMap(unetParamSpecs(config))).toEqual(asMap(unetParams(config)));
  });

  it('CLIP text encoder and VAE', () => {
    expect(asMap(clipParamSpecs(tinyClipConfig()))).toEqual(asMap(clipTextParams(tinyClipConfig())));
    expect(asMap(vaeParamSpecs(tinyVaeConfig()))).toEqual(asMap(vaeParams(tinyVaeConfig())));
  });
});
