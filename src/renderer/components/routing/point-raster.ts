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

/** Stamps every point with a colour (size x size pixels, centred) over what `pixels` holds; returns how many landed on screen. */
export function rasterisePoints(pixels: Uint32Array, width: number, height: number, points: RasterInput, base: BaseScale, t: ViewTransform, size: number): number {
  const sx = t.k * base.ax;
  const ox = t.k * base.bx + t.x - size / 2;
  const sy = t.k * base.ay;
  const oy = t.k * base.by + t.y - size / 2;
  const { x, y, colour } = points;
  let drawn = 0;
  for (let i = 0; i < x.length; i++) {
    const c = colour[i]!;
    if (c === 0) continue;
    const px = Math.round(x[i]! * sx + ox);
    const py = Math.round(y[i]! * sy + oy);
    if (px <= -size || py <= -size || px >= width || py >= height) continue;
    drawn++;
    const x0 = Math.max(0, px);
    const x1 = Math.min(width, px + size);
    for (let row = Math.max(0, py); row < Math.min(height, py + size); row++) {
      pixels.fill(c, row * width + x0, row * width + x1);
    }
  }
  return drawn;
}

/** Screen position of data point (x, y). */
export function toScreen(x: number, y: number, base: BaseScale, t: ViewTransform): [number, number] {
  return [t.k * (base.ax * x + base.bx) + t.x, t.k * (base.ay * y + base.by) + t.y];
}

/** Data coordinates of screen position (sx, sy). */
export function toData(sx: number, sy: number, base: BaseScale, t: ViewTransform): [number, number] {
  return [((sx - t.x) / t.k - base.bx) / base.ax, ((sy - t.y) / t.k - base.by) / base.ay];
}
