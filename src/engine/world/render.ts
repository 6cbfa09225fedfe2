// Renders a scene to 64x64 RGB bytes (interleaved, row-major): the background tone with its pattern,
// then each object with 4x4 supersampled coverage (anti-aliased edges), then the text from the 5x7
// font. Pure arithmetic on numbers, so the same scene gives the same bytes on every machine.
import { Random } from '../train/random';
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyphInk } from './glyphs';
import type { Scene, WorldObject } from './scene';
import { BACKGROUNDS, COLOURS, IMAGE_SIZE, type Pattern, type Shape } from './vocabulary';

type Rgb = readonly [number, number, number];

const STAR = Array.from({ length: 10 }, (_, i) => {
  const a = -Math.PI / 2 + (i * Math.PI) / 5;
  const r = i % 2 === 0 ? 1 : 0.45;
  return [r * Math.cos(a), r * Math.sin(a)] as const;
});

function inPolygon(u: number, v: number, poly: readonly (readonly [number, number])[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i] as readonly [number, number];
    const [xj, yj] = poly[j] as readonly [number, number];
    if (yi > v !== yj > v && u < ((xj - xi) * (v - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether (u, v), in units of the object's radius around its centre (v down), is inside `shape`. */
export function insideShape(shape: Shape, u: number, v: number): boolean {
  switch (shape) {
    case 'circle': return u * u + v * v <= 1;
    case 'square': return Math.abs(u) <= 0.82 && Math.abs(v) <= 0.82;
    case 'diamond': return Math.abs(u) + Math.abs(v) <= 1;
    case 'triangle': return v <= 0.8 && v >= -1 && Math.abs(u) <= (0.95 * (v + 1)) / 1.8;
    case 'cross': return (Math.abs(u) <= 0.3 && Math.abs(v) <= 0.95) || (Math.abs(v) <= 0.3 && Math.abs(u) <= 0.95);
    case 'star': return inPolygon(u, v, STAR);
  }
}

function shade(c: Rgb, f: number, add: number): Rgb {
  return [c[0] * f + add, c[1] * f + add, c[2] * f + add];
}

/** The background colour at pixel (x, y) for a pattern over base tone `c`. */
function backgroundAt(pattern: Pattern, c: Rgb, x: number, y: number, grain: Random): Rgb {
  const alt = shade(c, 0.55, 45);
  switch (pattern) {
    case 'plain': return c;
    case 'striped': return Math.floor((x + y) / 5) % 2 === 0 ? c : alt;
    case 'checkered': return (Math.floor(x / 8) + Math.floor(y / 8)) % 2 === 0 ? c : alt;
    case 'dotted': return (x % 8 - 3.5) ** 2 + (y % 8 - 3.5) ** 2 <= 3 ? alt : c;
    case 'finely striped': return x % 2 === 0 ? c : alt;
    case 'finely checkered': return (x + y) % 2 === 0 ? c : alt;
    case 'grainy': return shade(c, 1, grain.uniform(-28, 28));
  }
}

function drawObject(px: Float32Array, o: WorldObject): void {
  const colour = COLOURS[o.colour];
  const r = o.radius;
  const [x0, x1] = [Math.max(0, Math.floor(o.x - r - 1)), Math.min(IMAGE_SIZE - 1, Math.ceil(o.x + r + 1))];
  const [y0, y1] = [Math.max(0, Math.floor(o.y - r - 1)), Math.min(IMAGE_SIZE - 1, Math.ceil(o.y + r + 1))];
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      let hits = 0;
      for (let sy = 0; sy < 4; sy++) {
        for (let sx = 0; sx < 4; sx++) {
          if (insideShape(o.shape, (x + (sx + 0.5) / 4 - o.x) / r, (y + (sy + 0.5) / 4 - o.y) / r)) hits += 1;
        }
      }
      if (hits === 0) continue;
      const a = hits / 16;
      const i = (y * IMAGE_SIZE + x) * 3;
      for (let ch = 0; ch < 3; ch++) px[i + ch] = (px[i + ch] as number) * (1 - a) + (colour[ch] as number) * a;
    }
  }
}

function drawText(px: Float32Array, scene: Scene): void {
  const t = scene.text;
  if (!t) return;
  const colour = COLOURS[t.colour];
  [...t.text].forEach((ch, k) => {
    for (let row = 0; row < GLYPH_HEIGHT; row++) {
      for (let col = 0; col < GLYPH_WIDTH; col++) {
        if (!glyphInk(ch, col, row)) continue;
        for (let dy = 0; dy < t.scale; dy++) {
          for (let dx = 0; dx < t.scale; dx++) {
            const x = t.left + (k * (GLYPH_WIDTH + 1) + col) * t.scale + dx;
            const y = t.top + row * t.scale + dy;
            if (x < 0 || y < 0 || x >= IMAGE_SIZE || y >= IMAGE_SIZE) continue;
            px.set(colour, (y * IMAGE_SIZE + x) * 3);
          }
        }
      }
    }
  });
}

/** The scene as 64x64x3 RGB bytes. */
export function renderScene(scene: Scene): Uint8Array {
  const px = new Float32Array(IMAGE_SIZE * IMAGE_SIZE * 3);
  const grain = new Random(scene.grain);
  const tone = BACKGROUNDS[scene.background];
  for (let y = 0; y < IMAGE_SIZE; y++) {
    for (let x = 0; x < IMAGE_SIZE; x++) px.set(backgroundAt(scene.pattern, tone, x, y, grain), (y * IMAGE_SIZE + x) * 3);
  }
  for (const o of scene.objects) drawObject(px, o);
  drawText(px, scene);
  return Uint8Array.from(px, (v) => Math.max(0, Math.min(255, Math.round(v))));
}
