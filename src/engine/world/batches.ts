// Training batches of world scenes, rendered on the fly from the world seed: item indices advance
// from a cursor (so a run never repeats an item and resumes at the same place), noise and timesteps
// come from a seeded stream saved in checkpoints. Images are fed in [-1, 1] as the VAE expects.
import type { Feeds } from '../runtime';
import { hostTensor } from '../runtime';
import { Random, type RandomState } from '../train/random';
import { worldItem, type DifficultyMix, type WorldItem } from './items';
import { IMAGE_SIZE } from './vocabulary';

export interface CursorState {
  readonly cursor: number;
  readonly rng: RandomState;
}

/** The next `n` items of the world stream and its random source, advanced in place. */
export class WorldStream {
  cursor: number;
  rand: Random;

  /** `mix` sets the share of each difficulty (default items.ts's DEFAULT_MIX). */
  constructor(readonly seed: number, saved?: CursorState, readonly mix?: DifficultyMix) {
    this.cursor = saved?.cursor ?? 0;
    this.rand = saved ? Random.restore(saved.rng) : new Random(seed ^ 0x5bd1e995);
  }

  take(n: number): WorldItem[] {
    const items = Array.from({ length: n }, (_, i) => worldItem(this.seed, this.cursor + i, this.mix ? { mix: this.mix } : {}));
    this.cursor += n;
    return items;
  }

  normals(n: number): Float32Array {
    return Float32Array.from({ length: n }, () => this.rand.normal());
  }

  save(): CursorState {
    return { cursor: this.cursor, rng: this.rand.save() };
  }
}

/** Items as an NCHW float32 batch in [-1, 1]. */
export function imageBatch(items: readonly WorldItem[]): Float32Array {
  const plane = IMAGE_SIZE * IMAGE_SIZE;
  const out = new Float32Array(items.length * 3 * plane);
  items.forEach((item, n) => {
    for (let k = 0; k < plane; k++) {
      for (let c = 0; c < 3; c++) out[(n * 3 + c) * plane + k] = (item.rgb[k * 3 + c] as number) / 127.5 - 1;
    }
  });
  return out;
}

/** Autoencoder batches: image [N,3,64,64] and reparameterisation noise [N,4,h,w]. */
export function autoencoderBatches(stream: WorldStream, batch: number, latent: number): { next(): Feeds; save(): CursorState } {
  return {
    next: () => ({
      image: hostTensor('float32', [batch, 3, IMAGE_SIZE, IMAGE_SIZE], imageBatch(stream.take(batch))),
      noise: hostTensor('float32', [batch, 4, latent, latent], stream.normals(batch * 4 * latent * latent)),
    }),
    save: () => stream.save(),
  };
}
