// Resource accounting and losses (APTP.md "Compute accounting", "Losses"): the per-sample cost
// R(a) = sum over units of [d_u *] (sum_e hard(a_e) * MACs_e [+ fixed_u]) with hard values taken
// straight-through, the ratio rho = R(a)/R(all on), the budget conversion from total to prunable
// MACs, and the three losses on rho: |log(mean(rho)/p')|, -std(rho) and 1 - max(rho).
import { EngineError } from '../../core/errors';
import type { GraphBuilder, Value } from '../../ir';
import type { GateLayout } from '../../models/sd/structure/gates';
import type { UNetMacs } from '../../models/sd/structure/macs';
import { hardGates } from '../router/gumbel';

/** Constant tables of R(a), already divided by R(all on) so rho comes out directly. */
export interface ResourceModel {
  readonly width: number;
  readonly depth: number;
  readonly units: number;
  /** [W, U]: MACs of width entry e in unit u, over R(all on). */
  readonly entryCost: Float64Array;
  /** [U]: fixed MACs a depth gate also removes (0 for units without one), over R(all on). */
  readonly fixedCost: Float64Array;
  /** [D, U]: 1 where depth gate d gates unit u. */
  readonly depthOfUnit: Float64Array;
  /** [U]: 1 for units without a depth gate (their multiplier is 1). */
  readonly ungated: Float64Array;
  /** R(all on) and the whole UNet's MACs at the training resolution. */
  readonly prunableMacs: number;
  readonly totalMacs: number;
}

export function resourceModel(layout: GateLayout, macs: UNetMacs): ResourceModel {
  const unitNames = [...new Set(layout.widthGroups.map((g) => g.unit))];
  const unitIndex = new Map(unitNames.map((u, i) => [u, i]));
  const units = unitNames.length;
  const width = layout.widthEntries;
  const depth = layout.depthGroups.length;
  const r = macs.prunable;
  const entryCost = new Float64Array(width * units);
  for (const g of layout.widthGroups) {
    const perEntry = macs.perEntry[g.id];
    if (perEntry === undefined) throw new EngineError('graph-invalid', `No MACs for gate group '${g.id}'; the MACs and the gate layout come from different UNets.`, { gate: g.id });
    const u = unitIndex.get(g.unit) ?? 0;
    for (let e = g.offset; e < g.offset + g.width; e++) entryCost[e * units + u] = perEntry / r;
  }
  const fixedCost = new Float64Array(units);
  const depthOfUnit = new Float64Array(depth * units);
  const ungated = new Float64Array(units).fill(1);
  const fixedOf = new Map(macs.units.map((m) => [m.unit, m.fixed]));
  layout.depthGroups.forEach((g, d) => {
    const u = unitIndex.get(g.unit);
    if (u === undefined) throw new EngineError('graph-invalid', `Depth gate '${g.id}' gates a unit with no width gates.`, { gate: g.id });
    fixedCost[u] = (fixedOf.get(g.unit) ?? 0) / r;
    depthOfUnit[d * units + u] = 1;
    ungated[u] = 0;
  });
  return { width, depth, units, entryCost, fixedCost, depthOfUnit, ungated, prunableMacs: r, totalMacs: macs.total };
}

/** The user's budget p (a fraction of total MACs) as a target for the prunable MACs: 1 - (1-p)*total/R. */
export function prunableTarget(budget: number, model: Pick<ResourceModel, 'prunableMacs' | 'totalMacs'>): number {
  if (!(budget > 0 && budget <= 1)) throw new EngineError('invalid-argument', `The budget must be a fraction of the UNet's MACs in (0, 1] (got ${budget}); for example 0.6 keeps 60%.`, { budget });
  const target = 1 - ((1 - budget) * model.totalMacs) / model.prunableMacs;
  if (!(target > 0)) {
    const least = 1 - model.prunableMacs / model.totalMacs;
    throw new EngineError('invalid-argument', `A budget of ${budget} is below what pruning can reach: the unprunable parts alone are ${(100 * least).toFixed(1)}% of the MACs; choose a budget above ${least.toFixed(3)}.`, { budget, least });
  }
  return target;
}

/** rho [N] = R(hard gates)/R(all on) of gates [N, L]; gradients flow straight through the hard values. */
export function resourceRatio(b: GraphBuilder, model: ResourceModel, gates: Value): Value {
  return b.scope('resource_ratio', () => {
    const { width, depth, units } = model;
    const dtype = gates.type.dtype;
    const hard = hardGates(b, gates);
    const unitWidth = b.matmul(b.slice(hard, [0], [width], [1]), b.constant(dtype, [width, units], model.entryCost));
    const unitCost = b.add(unitWidth, b.constant(dtype, [units], model.fixedCost));
    let multiplier = b.constant(dtype, [units], model.ungated);
    if (depth > 0) multiplier = b.add(b.matmul(b.slice(hard, [width], [width + depth], [1]), b.constant(dtype, [depth, units], model.depthOfUnit)), multiplier);
    return b.reduceSum(b.mul(unitCost, multiplier), [1], false);
  });
}

/** |log(mean(rho)/target)| (the authors' 'log' resource loss). */
export function resourceLoss(b: GraphBuilder, rho: Value, target: number): Value {
  return b.abs(b.log(b.div(b.reduceMean(rho, undefined, false), target)));
}

/**
 * -std(rho), the unbiased standard deviation as torch.std (0 for a single sample). A 1e-12 under the
 * square root keeps the gradient finite when every rho is equal (the single-architecture baseline).
 */
export function stdLoss(b: GraphBuilder, rho: Value): Value {
  const n = rho.type.shape[0] ?? 1;
  if (n < 2) return b.mul(b.reduceSum(rho, undefined, false), 0);
  const centered = b.sub(rho, b.reduceMean(rho, undefined, false));
  const variance = b.div(b.reduceSum(b.mul(centered, centered), undefined, false), n - 1);
  return b.neg(b.sqrt(b.add(variance, 1e-12)));
}

/** 1 - max(rho). */
export function maxLoss(b: GraphBuilder, rho: Value): Value {
  return b.sub(1, b.reduceMax(rho, undefined, false));
}

/**
 * MACs of the UNet gated by `gates` [L] on the host: the unprunable part plus R(gates), rounded to
 * whole MACs. Hard gates give an architecture's MACs; on-probabilities of independent entries give
 * the expected MACs (each unit's cost and depth multiplier are sums over different entries).
 */
export function gatedMacs(model: ResourceModel, hard: ArrayLike<number>): number {
  const { width, depth, units } = model;
  let rho = 0;
  for (let u = 0; u < units; u++) {
    let cost = model.fixedCost[u]!;
    for (let e = 0; e < width; e++) cost += hard[e]! * model.entryCost[e * units + u]!;
    let multiplier = model.ungated[u]!;
    for (let d = 0; d < depth; d++) multiplier += hard[width + d]! * model.depthOfUnit[d * units + u]!;
    rho += cost * multiplier;
  }
  return Math.round(model.totalMacs - model.prunableMacs + rho * model.prunableMacs);
}
