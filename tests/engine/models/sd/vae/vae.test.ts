// AutoencoderKL graphs on a tiny config: latents are (mean + exp(logvar/2) * noise) * scaling_factor
// with the caller's noise, shapes follow the block count, and the decoder undoes the scaling factor
// (scaling latents by s and building with factor s gives the same image).
import { describe, expect, it } from 'vitest';
import { randomWeights } from '../../../../../src/engine/models/sd/unet/layers';
import { buildVaeDecoder, buildVaeEncoder, VAE_DECODER_IO, VAE_ENCODER_IO } from '../../../../../src/engine/models/sd/vae/vae';
import { maxAbsDiff, randn, runGraph, tinyVaeConfig } from '../unet/helpers';

describe('AutoencoderKL', () => {
  const config = tinyVaeConfig();
  const options = { batch: 1, height: 16, width: 16, weights: randomWeights(5) };

  it('samples latents from the encoder moments with the given noise, scaled', async () => {
    const { graph } = buildVaeEncoder(config, options);
    const noise = randn([1, 4, 8, 8], 9);
    const out = await runGraph(graph, { image: randn([1, 3, 16, 16], 8, 0.5), noise });
    const mean = out[VAE_ENCODER_IO.mean]!.data as Float32Array;
    const logvar = out[VAE_ENCODER_IO.logvar]!.data as Float32Array;
    const latents = out[VAE_ENCODER_IO.latents]!.data as Float32Array;
    expect(out[VAE_ENCODER_IO.latents]!.dims).toEqual([1, 4, 8, 8]);
    for (let i = 0; i < latents.length; i++) {
      const expected = ((mean[i] ?? 0) + Math.exp(0.5 * (logvar[i] ?? 0)) * (noise.data[i] ?? 0)) * config.scaling_factor;
      expect(latents[i]).toBeCloseTo(expected, 4);
    }
  });

  it('decodes scaled latents: the scaling factor divides them out', async () => {
    const latents = randn([1, 4, 8, 8], 4);
    const plain = await runGraph(buildVaeDecoder(config, options).graph, { latents });
    const twice = tinyVaeConfig({ scaling_factor: config.scaling_factor * 2 });
    const doubled = { ...latents, data: latents.data.map((v) => v * 2) };
    const other = await runGraph(buildVaeDecoder(twice, options).graph, { latents: doubled });
    expect(plain[VAE_DECODER_IO.image]!.dims).toEqual([1, 3, 16, 16]);
    expect(maxAbsDiff(plain[VAE_DECODER_IO.image]!, other[VAE_DECODER_IO.image]!)).toBeLessThan(1e-5);
  });
});
