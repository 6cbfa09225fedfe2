// The architecture each code ships as, deterministic and true to its budget. In training a code's
// entry is on when pre + g + offset >= 0 for a fresh Gumbel draw g, that is with probability
// 1 - exp(-exp(pre + offset)), and the resource loss holds the MACs of those random architectures
// to the budget on average. Without noise (g = 0) an entry is on only when pre >= -offset, so the
// entries just below drop out every time and every expert comes out smaller than its code was on
// average (after 800 world steps: 50.8-60.0 MMACs against 62.5-69.9). Instead each code keeps its
// entries in order of their on-probability, as many as make its MACs closest to its expected MACs
// under the noise: a shift d of every pre-activation (on when pre + d + offset >= 0; d = 0 is the
// noise-free architecture), d found by bisection. The expected MACs are exact: width and depth
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
  const hard = Float64Array.from(pre, (x) => (x + shift + spec.offset >= 0 ? 1 : 0));
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
  /** The shift of every pre-activation that gave `gates`. */
  readonly shift: number;
}

/**
 * The architecture of one code from its pre-activations [L] (gumbel.ts gatePreactivations): the
 * hard gates whose MACs are closest to the code's expected MACs under the training's noise.
 */
export function calibratedExpert(spec: RouterSpec, resource: ResourceModel, pre: ArrayLike<number>): CalibratedExpert {
  const expectedMacs = gatedMacs(resource, onProbabilities(spec, pre));
  // the shifts at which an entry turns on, in order; MACs never fall as the shift grows
  const flips = [...new Set(Array.from(pre, (x) => -(x + spec.offset)))].sort((a, b) => a - b);
  const at = (i: number) => {
    const shift = i < 0 ? (flips[0] ?? 0) - 1 : flips[i]!;
    const gates = shiftedHardGates(spec, pre, shift);
    return { gates, macs: gatedMacs(resource, gates), shift };
  };
  let lo = -1;
  let hi = flips.length - 1;
  if (at(hi).macs < expectedMacs) return { ...at(hi), expectedMacs };
  // smallest index whose MACs reach the expectation
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (at(mid).macs >= expectedMacs) hi = mid;
    else lo = mid;
  }
  const above = at(hi);
  const below = at(lo);
  return { ...(expectedMacs - below.macs < above.macs - expectedMacs ? below : above), expectedMacs };
}
