// Lasso selection on the prompt map: which points lie inside a freehand polygon (even-odd rule),
// tested in data coordinates after a bounding-box reject, so 100,000 points take milliseconds.

export type Polygon = readonly (readonly [number, number])[];

export function insidePolygon(px: number, py: number, polygon: Polygon): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Indices of the points inside `polygon` (fewer than 3 vertices select nothing). */
export function pointsInPolygon(x: Float32Array, y: Float32Array, polygon: Polygon): number[] {
  if (polygon.length < 3) return [];
  const xs = polygon.map((p) => p[0]);
  const ys = polygon.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const out: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const px = x[i]!;
    const py = y[i]!;
    if (px < x0 || px > x1 || py < y0 || py > y1) continue;
    if (insidePolygon(px, py, polygon)) out.push(i);
  }
  return out;
}
