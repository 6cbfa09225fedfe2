// Pieces of the Routing view's engine side: an expert's per-block architecture from its hard vector
// on the SD 2.1 gate layout (kept counts and depth-dropped units where they were set), and the
// separating words between two prompt sets (a planted word scores highest, on the right side).
import { describe, expect, it } from 'vitest';
import { expertArchitecture, separatingWords } from '../../../src/engine/aptp/routing-map';
import { parseUNetConfig } from '../../../src/engine/models/sd/config';
import { gateLayout, SD21_UNET_JSON } from '../../../src/engine/models/sd/structure';
import { resolveUNet } from '../../../src/engine/models/sd/unet/arch';

const layout = gateLayout(resolveUNet(parseUNetConfig(SD21_UNET_JSON, { file: 'sd21', component: 'unet' })));

describe('expertArchitecture', () => {
  it('counts every entry of the full architecture as kept, and no unit dropped', () => {
    const blocks = expertArchitecture(layout, new Float32Array(layout.vectorLength).fill(1));
    expect(blocks).toHaveLength(9);
    const total = blocks.reduce((s, b) => s + b.resnetGroups.total + b.heads.total + b.ffGroups.total, 0);
    expect(total).toBe(layout.widthEntries);
    expect(blocks.every((b) => b.droppedUnits.length === 0 && b.heads.kept === b.heads.total)).toBe(true);
  });

  it('reports the entries and depth gates switched off, in their own block', () => {
    const v = new Float32Array(layout.vectorLength).fill(1);
    const ff = layout.widthGroups.find((g) => g.kind === 'ff' && g.block === 'up_blocks.2')!;
    for (let i = 0; i < 10; i++) v[ff.offset + i] = 0;
    const depth = layout.depthGroups.find((g) => g.block === 'down_blocks.1')!;
    v[depth.offset] = 0;
    const blocks = new Map(expertArchitecture(layout, v).map((b) => [b.block, b]));
    expect(blocks.get('up_blocks.2')!.ffGroups.total - blocks.get('up_blocks.2')!.ffGroups.kept).toBe(10);
    expect(blocks.get('down_blocks.1')!.droppedUnits).toEqual([depth.unit]);
    expect(blocks.get('mid_block')!.droppedUnits).toEqual([]);
  });

  it('refuses a vector of another layout', () => {
    expect(() => expertArchitecture(layout, new Float32Array(5))).toThrow(/does not fit/);
  });
});

describe('separatingWords', () => {
  it('puts a planted word first, positive for the set that has it, and ignores function words', () => {
    const a = Array.from({ length: 40 }, (_, i) => `a portrait of ${i % 2 ? 'cat' : 'dog'} ${i % 7}`);
    const b = Array.from({ length: 40 }, (_, i) => `a photo of ${i % 4 ? 'cat' : 'dog'} in the park ${i % 2 ? 'today' : ''}`);
    const words = separatingWords(a, b);
    expect(words[0]!.word).toBe('portrait');
    expect(words[0]!.score).toBeGreaterThan(3);
    expect(words.find((w) => w.word === 'park')!.score).toBeLessThan(-3);
    expect(Math.abs(words.find((w) => w.word === 'cat')!.score)).toBeLessThan(2);
    expect(words.some((w) => w.word === 'of' || w.word === 'a')).toBe(false);
    expect(words.find((w) => w.word === 'portrait')).toMatchObject({ shareA: 1, shareB: 0 });
  });
});
