// One colour per expert for the map, its legend and the charts: d3's Tableau 10, then Set 3 for
// experts beyond ten; prompts not routed yet are grey. Packed for the point raster, CSS for the DOM.
import { rgb, schemeSet3, schemeTableau10 } from 'd3';
import { packRgba } from './point-raster';

const PALETTE = [...schemeTableau10, ...schemeSet3];
export const UNROUTED_COLOUR = '#9aa1b0';

export function expertColour(expert: number | null): string {
  return expert === null ? UNROUTED_COLOUR : PALETTE[expert % PALETTE.length]!;
}

export function packedExpertColour(expert: number | null, alpha = 255): number {
  const c = rgb(expertColour(expert));
  return packRgba(c.r, c.g, c.b, alpha);
}
