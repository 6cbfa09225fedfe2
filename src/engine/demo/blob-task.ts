// The demo's synthetic image task: 1x16x16 noisy images with one bright Gaussian blob, labelled by
// the quadrant the blob is in (4 classes). Seeded, so a run is reproducible.
import type { HostTensor } from '../runtime';
import { fromNumbers, type Random } from '../train';

export const IMAGE_SIZE = 16;
export const QUADRANTS = 4;

export interface LabelledBatch {
  readonly images: HostTensor;
  readonly onehot: HostTensor;
  readonly labels: readonly number[];
}

function blobImage(rand: Random, quadrant: number, noise: number): number[] {
  const half = IMAGE_SIZE / 2;
  const cy = (quadrant >> 1) * half + 1.5 + rand.uniform(0, half - 3);
  const cx = (quadrant & 1) * half + 1.5 + rand.uniform(0, half - 3);
  const pixels = rand.normals(IMAGE_SIZE * IMAGE_SIZE, noise);
  for (let y = 0; y < IMAGE_SIZE; y++) {
    for (let x = 0; x < IMAGE_SIZE; x++) {
      const i = y * IMAGE_SIZE + x;
      pixels[i] = (pixels[i] ?? 0) + Math.exp(-((y - cy) ** 2 + (x - cx) ** 2) / 3);
    }
  }
  return pixels;
}

export function blobBatch(rand: Random, size: number, noise = 0.35): LabelledBatch {
  const pixels: number[] = [];
  const onehot = new Array<number>(size * QUADRANTS).fill(0);
  const labels: number[] = [];
  for (let i = 0; i < size; i++) {
    const label = rand.int(QUADRANTS);
    pixels.push(...blobImage(rand, label, noise));
    onehot[i * QUADRANTS + label] = 1;
    labels.push(label);
  }
  return {
    images: fromNumbers('float32', [size, 1, IMAGE_SIZE, IMAGE_SIZE], pixels),
    onehot: fromNumbers('float32', [size, QUADRANTS], onehot),
    labels,
  };
}

/** Fraction of rows of `logits` [n, QUADRANTS] whose arg-max equals the label. */
export function accuracyOf(logits: HostTensor, labels: readonly number[]): number {
  let hits = 0;
  labels.forEach((label, i) => {
    let best = 0;
    for (let k = 1; k < QUADRANTS; k++) if (Number(logits.data[i * QUADRANTS + k]) > Number(logits.data[i * QUADRANTS + best])) best = k;
    if (best === label) hits += 1;
  });
  return hits / labels.length;
}
