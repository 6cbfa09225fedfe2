// APTP's depth importance order for any SD 1.x/2.x UNet, derived by rule from the gate layout:
// entry j of the result is the depth gate (index among the depth gates, vector order) that gets the
// j-th largest keep probability, so the last entry is dropped first. The rule, read off the
// authors' SD 2.1 list [-1,-2,0,1,-3,-4,2,3,-5,-6,4,5,-7,6] (mod 14): walk resolution levels from
// the highest resolution inwards; at each level take the up (decoder) block's depth gates from the
// output backwards, then the down (encoder) block's in forward order; mid-block gates (SD has
// none) come last. So the innermost units are dropped first and the highest resolution is kept longest.
import { EngineError } from '../core/errors';
import type { GateLayout } from '../models/sd/structure/gates';
import type { UNetArch } from '../models/sd/unet/arch';

/** Depth-gate indices (0..depthGates-1) from most to least important. */
export function depthOrder(arch: UNetArch, layout: GateLayout): number[] {
  const blockOf = new Map(arch.blocks.map((b) => [b.path, b]));
  const indexed = layout.depthGroups.map((g, index) => {
    const block = blockOf.get(g.block);
    if (!block) throw new EngineError('graph-invalid', `Depth gate '${g.id}' sits in block '${g.block}', which the UNet description does not have.`, { gate: g.id });
    return { index, block };
  });
  const order: number[] = [];
  for (let level = 0; level < arch.levels; level++) {
    const up = indexed.filter((d) => d.block.kind === 'up' && d.block.level === level).map((d) => d.index);
    const down = indexed.filter((d) => d.block.kind === 'down' && d.block.level === level).map((d) => d.index);
    order.push(...up.reverse(), ...down);
  }
  order.push(...indexed.filter((d) => d.block.kind === 'mid').map((d) => d.index));
  if (order.length !== layout.depthGroups.length) {
    throw new EngineError('graph-invalid', `The depth order covers ${order.length} of ${layout.depthGroups.length} depth gates; a block level lies outside 0..${arch.levels - 1}.`, { levels: arch.levels });
  }
  return order;
}
