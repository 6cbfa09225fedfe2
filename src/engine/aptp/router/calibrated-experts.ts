// The architecture each code ships as, deterministic and true to its budget. In training a code's
// entry is on when pre + g + offset >= 0 for a fresh Gumbel draw g, that is with probability
// 1 - exp(-exp(pre + offset)), and the resource loss holds the MACs of those random architectures
// to the budget on average. Without noise (g = 0) an entry is on only when pre >= -offset, so the
// entries just below drop out every time and every expert comes out smaller than its code was on
// average (after 800 world steps: 50.8-60.0 MMACs against 62.5-69.9). Instead each code keeps its
// entries in order of their on-probability, as many as make its MACs closest to its expected MACs
// under the noise: the entries whose pre-activation is at least a level found by bisection (a shift
// d of every pre-activation, on when pre + d + offset >= 0; d = 0 is the noise-free architecture). The expected MACs are exact: width and depth
// entries draw independent noise, so the resource model's products take the entries' on-probabilities
// (a width group left empty turns its first entry on, as gumbel.ts does).
import { gatedMacs, type ResourceModel } from '../losses/resource';
import type { RouterSpec } from './spec';

/** Per entry of `pre` [L]: the probability that its hard gate is on under Gumbel(0, 1) noise, with the empty-group rule. */
export function onProbabilities(spec: RouterSpec, pre: ArrayLike<number>): Float64Array {
  const p = Float64Array.from(pre, (x) => -Math.expm1(-Math.exp(x + spec.offset)));
  for (const [offset, width] of spec.tables.groups) {
    let allOff = 1;
    for (let e = offset; e < offset + width; e++) allOff *= 1 - p[e]!;
    p[offset] = p[offset]! + allOff;
  }
  return p;
}

/** Hard gates [L] with every pre-activation shifted by `shift` (0: the noise-free gates), with the empty-group rule. */
export function shiftedHardGates(spec: RouterSpec, pre: ArrayLike<number>, shift: number): Float64Array {
  return keepFrom(spec, pre, -(shift + spec.offset));
}

/** Hard gates [L] keeping the entries whose pre-activation is at least `least`, with the empty-group rule. */
function keepFrom(spec: RouterSpec, pre: ArrayLike<number>, least: number): Float64Array {
  const hard = Float64Array.from(pre, (x) => (x >= least ? 1 : 0));
  for (const [offset, width] of spec.tables.groups) {
    let any = false;
    for (let e = offset; e < offset + width && !any; e++) any = hard[e] === 1;
    if (!any) hard[offset] = 1;
  }
  return hard;
}

export interface CalibratedExpert {
  /** Hard gates [L] (1 keeps an entry). */
  readonly gates: Float64Array;
  readonly macs: number;
  /** The code's MACs on average under the training's noise. */
  readonly expectedMacs: number;
  /** The shift of every pre-activation that gives `gates` (shiftedHardGates). */
  readonly shift: number;
}

/**
 * The architecture of one code from its pre-activations [L] (gumbel.ts gatePreactivations): the
 * hard gates whose MACs are closest to the code's expected MACs under the training's noise. The
 * candidates keep every entry whose pre-activation is at least one of the pre-activations (compared
 * as they are, so no entry is lost to rounding), from the most entries to the fewest.
 */
export function calibratedExpert(spec: RouterSpec, resource: ResourceModel, pre: ArrayLike<number>): CalibratedExpert {
  const expectedMacs = gatedMacs(resource, onProbabilities(spec, pre));
  // ascending pre-activations: candidate i keeps the entries at or above levels[i]; MACs never rise with i
  const levels = [...new Set(Array.from(pre))].sort((a, b) => a - b);
  const at = (i: number) => {
    const least = i < levels.length ? levels[i]! : Infinity;
    const gates = keepFrom(spec, pre, least);
    return { gates, macs: gatedMacs(resource, gates), shift: -(least + spec.offset) };
  };
  // largest i whose MACs still reach the expectation (i = 0 keeps everything)
  let lo = 0;
  let hi = levels.length;
  if (at(lo).macs < expectedMacs) return { ...at(lo), expectedMacs };
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (at(mid).macs >= expectedMacs) lo = mid;
    else hi = mid;
  }
  const above = at(lo);
  const below = at(hi);
  return { ...(expectedMacs - below.macs < above.macs - expectedMacs ? below : above), expectedMacs };
}
