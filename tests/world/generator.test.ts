// The world generator: same seed -> same bytes (whole dataset folders compared file by file), other
// seeds differ, every difficulty holds what it promises, captions name the ground truth, the
// importer reads the folder as an imagefolder with every item usable, and bad requests are refused.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../src/engine/data/import-dataset';
import { openWorkspace } from '../../src/engine/store/workspace';
import { Random } from '../../src/engine/train/random';
import { canonicalCaption } from '../../src/engine/world/caption';
import { writeWorldDataset } from '../../src/engine/world/dataset';
import { worldItem } from '../../src/engine/world/items';
import { renderScene } from '../../src/engine/world/render';
import { sampleScene } from '../../src/engine/world/scene';
import { COLOURS, IMAGE_SIZE, TEXTS } from '../../src/engine/world/vocabulary';
import { tempDir } from '../engine/store/helpers';

const temp = tempDir('aptp-world-gen-');
afterAll(() => temp.cleanup());
const job = { signal: new AbortController().signal, progress: () => {} };

function filesOf(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else out.set(p, readFileSync(join(dir, p)));
    }
  };
  walk('');
  return out;
}

describe('world dataset', () => {
  it('writes the same bytes for the same seed and different images for another seed', async () => {
    const a = await writeWorldDataset(join(temp.dir, 'a'), { size: 120, seed: 5 }, job);
    const b = await writeWorldDataset(join(temp.dir, 'b'), { size: 120, seed: 5 }, job);
    const c = await writeWorldDataset(join(temp.dir, 'c'), { size: 120, seed: 6 }, job);
    const [fa, fb, fc] = [filesOf(a.dir), filesOf(b.dir), filesOf(c.dir)];
    expect(fa.size).toBe(122);
    expect([...fb.keys()].sort()).toEqual([...fa.keys()].sort());
    for (const [name, bytes] of fa) expect(bytes.equals(fb.get(name)!), name).toBe(true);
    const differing = [...fa.keys()].filter((n) => n.endsWith('.png') && !fa.get(n)!.equals(fc.get(n)!));
    expect(differing.length).toBeGreaterThan(110);
    expect(a.counts.easy! + a.counts.medium! + a.counts.hard!).toBe(120);
    expect(Math.min(a.counts.easy!, a.counts.medium!, a.counts.hard!)).toBeGreaterThan(15);
  });

  it('keeps the ground truth in each row and the importer reads every item as usable', async () => {
    const dir = join(temp.dir, 'a');
    const rows = readFileSync(join(dir, 'metadata.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { file_name: string; text: string; prompt: string; scene: { objects: unknown[] } });
    expect(rows).toHaveLength(120);
    rows.forEach((r, i) => {
      const item = worldItem(5, i);
      expect(r.scene).toEqual(JSON.parse(JSON.stringify(item.scene)));
      expect(r.prompt).toBe(canonicalCaption(item.scene));
    });
    const ws = openWorkspace(join(temp.dir, 'ws'));
    try {
      const summary = await importDataset(ws, { path: dir }, { limits: { minSide: 64 } }, job);
      expect(summary.detection.format).toBe('hf-imagefolder');
      expect(summary.totals).toMatchObject({ items: 120, usable: 120 });
    } finally {
      ws.close();
    }
  });

  it('refuses sizes outside 100..100k and folders that are not empty', async () => {
    await expect(writeWorldDataset(join(temp.dir, 'small'), { size: 99, seed: 0 }, job)).rejects.toThrow(/100 to 100000 items/);
    await expect(writeWorldDataset(join(temp.dir, 'big'), { size: 100_001, seed: 0 }, job)).rejects.toThrow(/100 to 100000 items/);
    mkdirSync(join(temp.dir, 'full'));
    writeFileSync(join(temp.dir, 'full', 'x.txt'), 'x');
    await expect(writeWorldDataset(join(temp.dir, 'full'), { size: 100, seed: 0 }, job)).rejects.toThrow(/not empty/);
  });
});

describe('world scenes', () => {
  const rand = new Random(3);
  const pixel = (rgb: Uint8Array, x: number, y: number): number[] => [...rgb.subarray((y * IMAGE_SIZE + x) * 3, (y * IMAGE_SIZE + x) * 3 + 3)];

  it('easy: one shape of one colour on a plain background, the colour at its centre, named in the caption', () => {
    for (let i = 0; i < 50; i++) {
      const s = sampleScene(rand, 'easy');
      expect(s.objects).toHaveLength(1);
      expect(s.pattern).toBe('plain');
      const o = s.objects[0]!;
      const rgb = renderScene(s);
      if (o.shape !== 'star' && o.shape !== 'cross') expect(pixel(rgb, Math.round(o.x), Math.round(o.y))).toEqual([...COLOURS[o.colour]]);
      expect(canonicalCaption(s)).toContain(`${o.colour} ${o.shape}`);
    }
  });

  it('medium: two or three distinct objects placed as their relation says, on a coarse pattern', () => {
    for (let i = 0; i < 50; i++) {
      const s = sampleScene(rand, 'medium');
      const [a, b] = s.objects as [NonNullable<(typeof s.objects)[0]>, NonNullable<(typeof s.objects)[0]>];
      expect(s.objects.length === 2 || s.objects.length === 3).toBe(true);
      expect(['striped', 'checkered', 'dotted']).toContain(s.pattern);
      const where = { 'left of': a.x < b.x, 'right of': a.x > b.x, above: a.y < b.y, below: a.y > b.y };
      expect(where[s.relation!]).toBe(true);
      expect(new Set(s.objects.map((o) => o.colour)).size).toBe(s.objects.length);
      expect(canonicalCaption(s)).toContain(` ${s.relation!} `);
    }
  });

  it('hard: counts of four or more, glyphs and words from the font, or fine textures', () => {
    const kinds = new Set<string>();
    for (let i = 0; i < 80; i++) {
      const s = sampleScene(rand, 'hard');
      kinds.add(s.kind);
      if (s.kind === 'count') expect(s.objects.length).toBeGreaterThanOrEqual(4);
      if (s.kind === 'glyph' || s.kind === 'word') expect(TEXTS).toContain(s.text!.text);
      if (s.kind === 'texture') expect(['finely striped', 'finely checkered', 'grainy']).toContain(s.pattern);
      renderScene(s);
    }
    expect([...kinds].sort()).toEqual(['count', 'glyph', 'texture', 'word']);
  });
});
