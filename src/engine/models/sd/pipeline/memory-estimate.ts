// Whether this machine can hold a generation of the asked size, decided before any work. The peak
// is self-attention: a UNet attention block at T latent positions holds a batch x heads x T x T
// matrix of scores and its softmax (float32), so memory grows with the fourth power of the image
// side; the VAE decoder's mid-block attention (one head, at the latent resolution) likewise. The
// estimate counts those matrices only (a floor: weights and other activations come on top) and
// refuses a size whose floor is beyond the machine's memory, naming the estimate and the largest
// square side that would fit.
import { totalmem } from 'node:os';
import { EngineError } from '../../../core/errors';
import type { UNetConfig } from '../config';
import type { ImageGeometry } from './geometry';

const FLOAT_BYTES = 4;
/** Scores and their softmax are alive together. */
const MATRICES = 2;

const at = (v: number | readonly number[], i: number): number => (typeof v === 'number' ? v : (v[i] ?? v[v.length - 1] ?? 1));

/** Bytes of the largest attention matrices one denoising step and the decode hold (a floor). */
export function attentionBytes(unet: UNetConfig, latentWidth: number, latentHeight: number, batch: number, images: number): number {
  // diffusers reads attention_head_dim as the head count when num_attention_heads is absent (its naming quirk).
  const heads = unet.num_attention_heads ?? unet.attention_head_dim;
  let peak = 0;
  unet.down_block_types.forEach((type, i) => {
    if (!type.includes('CrossAttn')) return;
    const positions = Math.ceil(latentWidth / 2 ** i) * Math.ceil(latentHeight / 2 ** i);
    peak = Math.max(peak, batch * at(heads, i) * positions ** 2);
  });
  const decode = images * (latentWidth * latentHeight) ** 2;
  return Math.max(peak, decode) * FLOAT_BYTES * MATRICES;
}

const gb = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 31 ? 2 : 0)} GB`;

/** Refuses (before running) a size whose attention alone needs more than `available` bytes. */
export function checkGenerationMemory(unet: UNetConfig, g: ImageGeometry, size: { width: number; height: number; latentWidth: number; latentHeight: number }, batch: number, images: number, available = totalmem()): void {
  const need = attentionBytes(unet, size.latentWidth, size.latentHeight, batch, images);
  if (need <= available) return;
  const side = Math.sqrt(size.width * size.height) * (available / need) ** 0.25;
  const fits = Math.max(g.sizeMultiple, Math.floor(side / g.sizeMultiple) * g.sizeMultiple);
  throw new EngineError(
    'invalid-argument',
    `A ${size.width}×${size.height} image (${images} at a time${batch > images ? ', doubled by guidance' : ''}) needs at least ${gb(need)} of memory for attention alone, and this machine has ${gb(available)}. Choose a smaller size: about ${fits}×${fits} or less fits.`,
    { width: size.width, height: size.height, neededBytes: need, availableBytes: available, fits },
  );
}
