// The memory floor of a generation: SD 1.5's first attention block at 512 px holds 2 (guidance) x 8
// heads x 4096^2 float32 scores and their softmax, exactly 2 GiB; the side grows as its fourth root,
// so 1024 px needs 16 times that, refused on a 16 GiB machine with the largest side that fits.
import { describe, expect, it } from 'vitest';
import { parseUNetConfig } from '../../../../../src/engine/models/sd/config';
import { attentionBytes, checkGenerationMemory } from '../../../../../src/engine/models/sd/pipeline/memory-estimate';

const sd15 = parseUNetConfig({ sample_size: 64 }, { file: 'unet/config.json', component: 'unet' });
const geometry = { width: 512, height: 512, vaeScale: 8, latentMultiple: 1, sizeMultiple: 8 } as Parameters<typeof checkGenerationMemory>[1];
const GiB = 2 ** 30;

describe('generation memory estimate', () => {
  it('counts the largest attention matrices', () => {
    expect(attentionBytes(sd15, 64, 64, 2, 1)).toBe(2 * GiB);
    expect(attentionBytes(sd15, 128, 128, 2, 1)).toBe(32 * GiB);
    // SD 2.x names head counts per block in attention_head_dim: [5, 10, 20, 20] (first block: 5 heads).
    const sd2 = parseUNetConfig({ attention_head_dim: [5, 10, 20, 20] }, { file: 'u', component: 'unet' });
    expect(attentionBytes(sd2, 96, 96, 2, 1)).toBe(2 * 5 * 9216 ** 2 * 8);
  });

  it('refuses a size beyond the machine with the estimate and a size that fits', () => {
    expect(() => checkGenerationMemory(sd15, geometry, { width: 512, height: 512, latentWidth: 64, latentHeight: 64 }, 2, 1, 16 * GiB)).not.toThrow();
    expect(() => checkGenerationMemory(sd15, geometry, { width: 1024, height: 1024, latentWidth: 128, latentHeight: 128 }, 2, 1, 16 * GiB)).toThrow(
      'A 1024×1024 image (1 at a time, doubled by guidance) needs at least 32 GB of memory for attention alone, and this machine has 16 GB. Choose a smaller size: about 856×856 or less fits.',
    );
  });
});
