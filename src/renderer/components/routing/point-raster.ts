// Draws many points straight into an RGBA pixel buffer (one Uint32 per pixel), for the prompt map.
// A square stamp per point, written in one pass over typed arrays: 100,000 points take a few
// milliseconds on any machine, with no GPU and no per-point canvas call (WebGL is not available
// everywhere the studio runs, e.g. headless Chromium or a remote desktop). The caller puts the
// buffer on a canvas with putImageData.

/** d3-zoom's transform: screen = k * base + (x, y). */
export interface ViewTransform {
  readonly k: number;
  readonly x: number;
  readonly y: number;
}

/** Where data coordinates [-1, 1] land before zooming: px = ax * x + bx, py = ay * y + by. */
export interface BaseScale {
  readonly ax: number;
  readonly bx: number;
  readonly ay: number;
  readonly by: number;
}

/** Fits [-1, 1]^2 into a width x height box with `pad` pixels around, aspect kept, y up. */
export function baseScale(width: number, height: number, pad = 16): BaseScale {
  const half = Math.max(1, Math.min(width, height) / 2 - pad);
  return { ax: half, bx: width / 2, ay: -half, by: height / 2 };
}

/** Packs an sRGB colour and alpha (0-255 each) into the little-endian RGBA Uint32 ImageData holds. */
export function packRgba(r: number, g: number, b: number, a = 255): number {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

export interface RasterInput {
  readonly x: Float32Array;
  readonly y: Float32Array;
  /** Packed colour per point (0 = not drawn). */
  readonly colour: Uint32Array;
}

/**
 * Stamps every point with its colour (size x size pixels, centred) over what `pixels` holds; returns
 * how many landed on screen. Writes through Int32 views: packed colours with alpha >= 128 exceed
 * 2^31 and would be boxed numbers in a Uint32 loop (about 10x slower in V8). A point whose stamp
 * lies wholly inside takes the fast path: truncation instead of Math.round (the same pixel for
 * non-negative values) and, for the 2- and 3-pixel stamps the map uses, unrolled stores; only points
 * on an edge take the clipped loop. In Chromium at 100,000 points on a 1000 x 800 buffer that is
 * about 2 ms against 20-30 ms for the clipped loop on every point (measured on this machine, load 10).
 */
export function rasterisePoints(pixels: Uint32Array, width: number, height: number, points: RasterInput, base: BaseScale, t: ViewTransform, size: number): number {
  const out = new Int32Array(pixels.buffer, pixels.byteOffset, pixels.length);
  const colour = new Int32Array(points.colour.buffer, points.colour.byteOffset, points.colour.length);
  // +0.5 folds the rounding into the offset: floor(v + 0.5) is Math.round(v).
  const sx = t.k * base.ax;
  const ox = t.k * base.bx + t.x - size / 2 + 0.5;
  const sy = t.k * base.ay;
  const oy = t.k * base.by + t.y - size / 2 + 0.5;
  const xInside = width - size;
  const yInside = height - size;
  const { x, y } = points;
  let drawn = 0;
  for (let i = 0; i < x.length; i++) {
    const c = colour[i]!;
    if (c === 0) continue;
    const fx = x[i]! * sx + ox;
    const fy = y[i]! * sy + oy;
    if (fx >= 0 && fy >= 0 && fx < xInside + 1 && fy < yInside + 1) {
      const at = (fy | 0) * width + (fx | 0);
      if (size === 2) stamp2(out, at, width, c);
      else if (size === 3) stamp3(out, at, width, c);
      else stampClipped(out, width, height, fx | 0, fy | 0, size, c);
      drawn++;
      continue;
    }
    const px = Math.floor(fx);
    const py = Math.floor(fy);
    if (px <= -size || py <= -size || px >= width || py >= height) continue;
    stampClipped(out, width, height, px, py, size, c);
    drawn++;
  }
  return drawn;
}

function stamp2(out: Int32Array, at: number, width: number, c: number): void {
  out[at] = c;
  out[at + 1] = c;
  out[at + width] = c;
  out[at + width + 1] = c;
}

function stamp3(out: Int32Array, at: number, width: number, c: number): void {
  out[at] = c;
  out[at + 1] = c;
  out[at + 2] = c;
  const b = at + width;
  out[b] = c;
  out[b + 1] = c;
  out[b + 2] = c;
  const d = b + width;
  out[d] = c;
  out[d + 1] = c;
  out[d + 2] = c;
}

/** A size x size stamp with its top-left at (px, py), clipped to the buffer. */
function stampClipped(out: Int32Array, width: number, height: number, px: number, py: number, size: number, c: number): void {
  const x0 = px < 0 ? 0 : px;
  const x1 = px + size > width ? width : px + size;
  const y1 = py + size > height ? height : py + size;
  for (let row = py < 0 ? 0 : py; row < y1; row++) {
    const at = row * width;
    for (let col = x0; col < x1; col++) out[at + col] = c;
  }
}

/** Screen position of data point (x, y). */
export function toScreen(x: number, y: number, base: BaseScale, t: ViewTransform): [number, number] {
  return [t.k * (base.ax * x + base.bx) + t.x, t.k * (base.ay * y + base.by) + t.y];
}

/** Data coordinates of screen position (sx, sy). */
export function toData(sx: number, sy: number, base: BaseScale, t: ViewTransform): [number, number] {
  return [((sx - t.x) / t.k - base.bx) / base.ax, ((sy - t.y) / t.k - base.by) / base.ay];
}
