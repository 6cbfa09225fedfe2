// The prompt map's points as typed columns the raster, the lasso and the hover index read, built
// once from the routingMap answer; and the colour columns for a given emphasis (search matches, a
// chosen expert, a lasso selection): emphasised points bright and drawn last, the rest faint.
import type { MapPoints } from '../../../shared/routing-api';
import { packedExpertColour } from './expert-colours';

export interface MapData {
  readonly count: number;
  readonly x: Float32Array;
  readonly y: Float32Array;
  /** Expert per point, -1 when not routed yet. */
  readonly expert: Int32Array;
}

export function mapDataOf(p: MapPoints): MapData {
  return {
    count: p.itemId.length,
    x: Float32Array.from(p.x),
    y: Float32Array.from(p.y),
    expert: Int32Array.from(p.expert, (e) => e ?? -1),
  };
}

export interface ColourPasses {
  /** Drawn first (faint when something is emphasised, else every point). */
  readonly back: Uint32Array;
  /** Drawn on top: the emphasised points (empty pass when nothing is). */
  readonly front: Uint32Array;
}

const FAINT_ALPHA = 46;

export function colourPasses(data: MapData, emphasis: Uint8Array | null): ColourPasses {
  const palette = new Map<number, [number, number]>();
  const colourOf = (e: number): [number, number] => {
    let c = palette.get(e);
    if (!c) palette.set(e, (c = [packedExpertColour(e < 0 ? null : e), packedExpertColour(e < 0 ? null : e, FAINT_ALPHA)]));
    return c;
  };
  const back = new Uint32Array(data.count);
  const front = new Uint32Array(data.count);
  for (let i = 0; i < data.count; i++) {
    const [bright, faint] = colourOf(data.expert[i]!);
    if (!emphasis) back[i] = bright;
    else if (emphasis[i]) front[i] = bright;
    else back[i] = faint;
  }
  return { back, front };
}

/** A prompt as the lists show it; `index` is its point on the map when it has one. */
export interface ListedPrompt {
  readonly index?: number;
  readonly itemId: number;
  readonly prompt: string;
  readonly expert: number | null;
  readonly margin: number | null;
}
