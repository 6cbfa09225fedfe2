// The prompt map's pure pieces: the point raster stamps exactly where the transform puts a point
// (and clips at the edges), screen <-> data conversions invert each other, the lasso keeps exactly
// the points inside a polygon, and emphasis puts bright points in the front pass and faint ones behind.
import { describe, expect, it } from 'vitest';
import { insidePolygon, pointsInPolygon } from '../../src/renderer/components/routing/lasso';
import { colourPasses } from '../../src/renderer/components/routing/map-data';
import { baseScale, packRgba, rasterisePoints, toData, toScreen } from '../../src/renderer/components/routing/point-raster';

describe('point raster', () => {
  it('stamps a size x size square centred on the transformed point, clipped at the edges', () => {
    const [w, h] = [40, 30];
    const pixels = new Uint32Array(w * h);
    const red = packRgba(255, 0, 0);
    const base = baseScale(w, h, 0);
    const t = { k: 2, x: -20, y: -15 };
    const drawn = rasterisePoints(pixels, w, h, { x: Float32Array.of(0, 0.65, 5), y: Float32Array.of(0, 0, 5), colour: Uint32Array.of(red, red, red) }, base, t, 3);
    expect(drawn).toBe(2);
    const [sx, sy] = toScreen(0, 0, base, t);
    const lit = [...pixels.keys()].filter((i) => pixels[i] === red);
    const centre = lit.filter((i) => Math.abs((i % w) - sx) <= 2 && Math.abs(Math.floor(i / w) - sy) <= 2);
    expect(centre).toHaveLength(9);
    expect(lit).toHaveLength(9 + 6);
    expect(pixels[0]).toBe(0);
  });

  it('draws exactly what a per-pixel reference draws, for every stamp size, inside and on the edges', () => {
    const [w, h] = [57, 41];
    const n = 400;
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2.6 - 1.3;
    const x = Float32Array.from({ length: n }, next);
    const y = Float32Array.from({ length: n }, next);
    const colour = Uint32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : packRgba(i % 256, (i * 7) % 256, 9)));
    const base = baseScale(w, h, 2);
    const t = { k: 1.37, x: 3.3, y: -2.1 };
    for (const size of [1, 2, 3, 4]) {
      const expected = new Uint32Array(w * h);
      let inView = 0;
      for (let i = 0; i < n; i++) {
        if (colour[i] === 0) continue;
        const [sx, sy] = toScreen(x[i]!, y[i]!, base, t);
        const [px, py] = [Math.round(sx - size / 2), Math.round(sy - size / 2)];
        let hit = false;
        for (let r = py; r < py + size; r++) for (let c = px; c < px + size; c++) if (r >= 0 && r < h && c >= 0 && c < w) { expected[r * w + c] = colour[i]!; hit = true; }
        if (hit) inView++;
      }
      const pixels = new Uint32Array(w * h);
      expect(rasterisePoints(pixels, w, h, { x, y, colour }, base, t, size)).toBe(inView);
      expect(pixels).toEqual(expected);
    }
  });

  it('converts screen to data and back', () => {
    const base = baseScale(800, 600);
    const t = { k: 3.5, x: -120, y: 40 };
    const [dx, dy] = toData(...toScreen(0.3, -0.7, base, t), base, t);
    expect(dx).toBeCloseTo(0.3, 10);
    expect(dy).toBeCloseTo(-0.7, 10);
  });
});

describe('lasso', () => {
  const square = [[0, 0], [1, 0], [1, 1], [0, 1]] as const;
  it('keeps exactly the points inside, concave shapes included', () => {
    expect(insidePolygon(0.5, 0.5, square)).toBe(true);
    expect(insidePolygon(1.5, 0.5, square)).toBe(false);
    const notch = [[0, 0], [2, 0], [2, 2], [1, 1], [0, 2]] as const;
    expect(insidePolygon(1, 1.5, notch)).toBe(false);
    expect(insidePolygon(0.5, 1.2, notch)).toBe(true);
    expect(pointsInPolygon(Float32Array.of(0.5, 1.5, 0.2, -1), Float32Array.of(0.5, 0.5, 0.9, 0.5), square)).toEqual([0, 2]);
    expect(pointsInPolygon(Float32Array.of(0.5), Float32Array.of(0.5), [[0, 0], [1, 1]])).toEqual([]);
  });
});

describe('colour passes', () => {
  it('draws every point in the back pass without emphasis, and splits bright/faint with it', () => {
    const data = { count: 3, x: new Float32Array(3), y: new Float32Array(3), expert: Int32Array.of(0, 1, -1) };
    const plain = colourPasses(data, null);
    expect([...plain.back].every((c) => c !== 0)).toBe(true);
    expect([...plain.front].every((c) => c === 0)).toBe(true);
    const split = colourPasses(data, Uint8Array.of(0, 1, 0));
    expect(split.front[1]).toBe(plain.back[1]);
    expect(split.front[0]).toBe(0);
    expect(split.back[0]! >>> 24).toBeLessThan(plain.back[0]! >>> 24);
  });
});
