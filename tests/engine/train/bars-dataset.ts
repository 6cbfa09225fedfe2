// A synthetic image task for the training tests: 1x12x12 images of one line segment in noise,
// labelled by orientation (0 horizontal, 1 vertical, 2 diagonal, 3 anti-diagonal), at a random
// position and length, with Gaussian pixel noise. Seeded, so every run sees the same images.
import type { HostTensor } from '../../../src/engine/runtime';
import { fromNumbers, type Random } from '../../../src/engine/train';

export const SIZE = 12;
export const CLASSES = 4;
const STEPS: readonly (readonly [number, number])[] = [[0, 1], [1, 0], [1, 1], [1, -1]];

function drawLine(img: number[], label: number, rand: Random): void {
  const [dy, dx] = STEPS[label] ?? [0, 1];
  const length = 5 + rand.int(4);
  const y0 = dy === 0 ? rand.int(SIZE) : rand.int(SIZE - length);
  const x0 = dx === 0 ? rand.int(SIZE) : dx > 0 ? rand.int(SIZE - length) : length + rand.int(SIZE - length);
  for (let i = 0; i < length; i++) {
    const [y, x] = [y0 + dy * i, x0 + dx * i];
    if (y >= 0 && y < SIZE && x >= 0 && x < SIZE) img[y * SIZE + x] = 1;
  }
}

export interface Batch {
  readonly images: HostTensor;
  readonly onehot: HostTensor;
  readonly labels: readonly number[];
}

export function makeBatch(rand: Random, n: number, noise = 0.4): Batch {
  const pixels: number[] = [];
  const onehot = new Array<number>(n * CLASSES).fill(0);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = rand.int(CLASSES);
    const img = rand.normals(SIZE * SIZE, noise);
    drawLine(img, label, rand);
    pixels.push(...img);
    onehot[i * CLASSES + label] = 1;
    labels.push(label);
  }
  return { images: fromNumbers('float32', [n, 1, SIZE, SIZE], pixels), onehot: fromNumbers('float32', [n, CLASSES], onehot), labels };
}
