// A synthetic camera-like JPEG for the data benchmarks: 1024x768 or 768x1024, blurred noise.
import sharp from 'sharp';

export async function photo(i: number): Promise<Buffer> {
  const [width, height] = i % 2 ? [1024, 768] : [768, 1024];
  return sharp({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 }, noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .blur(1.2)
    .jpeg({ quality: 90 })
    .toBuffer();
}
