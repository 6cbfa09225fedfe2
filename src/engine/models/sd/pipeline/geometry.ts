// Image geometry of an SD model, computed in this one place for the CLI, the studio, the inspector and
// the generation loop: pixels per latent cell (the VAE factor, 2^(VAE blocks - 1), 8 for SD), the
// size step generation accepts (the VAE factor, as diffusers; more only with downsample_padding 0,
// whose pad rounds odd sizes down), and the default size (the UNet's sample_size in latent cells times
// the VAE factor; single-file checkpoints get the sample_size the loader inferred, 64 or 96).
import { EngineError } from '../../../core/errors';
import type { UNetConfig, VaeConfig } from '../config';
import { resolveUNet } from '../unet';

/** Sanity bound on image sides (pixels): the studio and CLI refuse larger requests before building anything. */
export const MAX_IMAGE_SIDE = 4096;

export interface ImageGeometry {
  /** Pixels per latent cell (8 for SD). */
  readonly vaeScale: number;
  /**
   * The latent side must be a multiple of this: 1 for SD (odd sizes halve rounding up and the up
   * path crops back, as diffusers does), 2^(down blocks - 1) with downsample_padding 0.
   */
  readonly latentMultiple: number;
  /** Width and height must be multiples of this many pixels (vaeScale * latentMultiple). */
  readonly sizeMultiple: number;
  /** The model's native size in pixels. */
  readonly width: number;
  readonly height: number;
}

export function imageGeometry(model: { readonly unet: UNetConfig; readonly vae: VaeConfig }): ImageGeometry {
  const vaeScale = 2 ** (model.vae.block_out_channels.length - 1);
  const latentMultiple = model.unet.downsample_padding === 0 ? 2 ** (resolveUNet(model.unet).levels - 1) : 1;
  const sample = model.unet.sample_size ?? 64;
  const [h, w] = typeof sample === 'number' ? [sample, sample] : [sample[0] ?? 64, sample[1] ?? 64];
  return Object.freeze({ vaeScale, latentMultiple, sizeMultiple: vaeScale * latentMultiple, width: w * vaeScale, height: h * vaeScale });
}

function why(g: Pick<ImageGeometry, 'vaeScale' | 'latentMultiple'>): string {
  const vae = `its VAE scales by ${g.vaeScale}`;
  return g.latentMultiple === 1 ? vae : `${vae} and its UNet, with downsample_padding 0, halves the latent ${Math.log2(g.latentMultiple)} times`;
}

/** The multiples of `step` nearest to `v` (one below, one above), for messages. */
function nearest(v: number, step: number): number[] {
  const below = Math.max(step, Math.floor(v / step) * step);
  const above = Math.min(Math.max(step, Math.ceil(v / step) * step), Math.floor(MAX_IMAGE_SIDE / step) * step);
  return [...new Set([below, above])];
}

/** Refuses a size the model cannot generate, naming the nearest sizes it can; returns the latent size. */
export function latentSize(geometry: Pick<ImageGeometry, 'vaeScale' | 'latentMultiple'>, width: number, height: number): { readonly latentWidth: number; readonly latentHeight: number } {
  const g = { ...geometry, sizeMultiple: geometry.vaeScale * geometry.latentMultiple };
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < g.sizeMultiple || v > MAX_IMAGE_SIDE || v % g.sizeMultiple !== 0) {
      const near = nearest(Number.isFinite(v) ? v : g.sizeMultiple, g.sizeMultiple);
      throw new EngineError(
        'invalid-argument',
        `The ${name} must be a multiple of ${g.sizeMultiple} pixels from ${g.sizeMultiple} to ${MAX_IMAGE_SIDE} for this model (${why(g)}); got ${v}, nearest: ${near.join(' or ')}.`,
        { [name]: v, multiple: g.sizeMultiple, nearest: near },
      );
    }
  }
  return { latentWidth: width / g.vaeScale, latentHeight: height / g.vaeScale };
}
