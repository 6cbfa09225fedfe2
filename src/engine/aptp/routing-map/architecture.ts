// An expert's architecture against the base, per UNet block, from its hard architecture vector
// (1 keeps an entry, 0 drops it; layout: models/sd/structure/gates.ts): ResNet GroupNorm groups,
// attention heads (self and cross together) and feed-forward groups kept of total, and the units a
// depth gate removes whole. The stage-1 trainer calls this when it records its experts; the Routing
// view shows the result as plain data.
import { EngineError } from '../../core/errors';
import type { GateLayout } from '../../models/sd/structure/gates';
import type { BlockArchitecture } from '../../store/repositories/routing';

interface Tally {
  resnetGroups: { kept: number; total: number };
  heads: { kept: number; total: number };
  ffGroups: { kept: number; total: number };
  droppedUnits: string[];
}

const emptyTally = (): Tally => ({ resnetGroups: { kept: 0, total: 0 }, heads: { kept: 0, total: 0 }, ffGroups: { kept: 0, total: 0 }, droppedUnits: [] });

export function expertArchitecture(layout: GateLayout, vector: ArrayLike<number>): BlockArchitecture[] {
  if (vector.length !== layout.vectorLength) {
    throw new EngineError('shape-mismatch', `An architecture vector of ${vector.length} entries does not fit this UNet's ${layout.vectorLength}; record the expert with its own model's gate layout.`, { got: vector.length, expected: layout.vectorLength });
  }
  const blocks = new Map<string, Tally>();
  const tally = (block: string): Tally => blocks.get(block) ?? blocks.set(block, emptyTally()).get(block)!;
  for (const g of layout.widthGroups) {
    let kept = 0;
    for (let i = g.offset; i < g.offset + g.width; i++) if (vector[i]! > 0.5) kept++;
    const t = tally(g.block);
    const into = g.kind === 'resnet' ? t.resnetGroups : g.kind === 'ff' ? t.ffGroups : t.heads;
    into.kept += kept;
    into.total += g.width;
  }
  for (const g of layout.depthGroups) if (vector[g.offset]! <= 0.5) tally(g.block).droppedUnits.push(g.unit);
  return [...blocks].map(([block, t]) => ({ block, ...t }));
}
