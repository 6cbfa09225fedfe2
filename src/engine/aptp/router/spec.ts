// What a router is built from: the UNet's gate layout, the prompt-embedding width, K, the
// Gumbel-sigmoid temperature and offset, the depth order, Sinkhorn settings and the routing-vector
// normalisation; plus the per-entry constant tables (group widths, depth membership) every router
// graph function reads. `routerSpec` fills APTP.md's defaults and refuses settings that cannot work.
import { EngineError } from '../../core/errors';
import type { UNetMacs } from '../../models/sd/structure/macs';
import type { GateLayout } from '../../models/sd/structure/gates';
import type { UNetArch } from '../../models/sd/unet/arch';
import { depthOrder } from '../depth-order';

/** 'router': predictor + codebook (APTP). 'single': one learned architecture for every prompt (the paper's baseline). */
export type RouterKind = 'router' | 'single';

export interface RouterOptions {
  readonly kind?: RouterKind;
  /** K, the number of architecture codes (experts). */
  readonly experts?: number;
  readonly temperature?: number;
  readonly offset?: number;
  /** Sinkhorn optimal transport for the training assignment (off: plain argmax, the ablation). */
  readonly optimalTransport?: boolean;
  readonly sinkhornEpsilon?: number;
  readonly sinkhornIterations?: number;
  /** Weight routing-vector entries by their share of prunable MACs (off in the paper's configs). */
  readonly resourceAwareNormalization?: boolean;
}

export interface RouterSpec {
  readonly kind: RouterKind;
  readonly layout: GateLayout;
  /** Prompt-embedding width (the predictor's input). */
  readonly embedDim: number;
  readonly experts: number;
  readonly temperature: number;
  readonly offset: number;
  readonly optimalTransport: boolean;
  readonly sinkhornEpsilon: number;
  readonly sinkhornIterations: number;
  /** Depth-gate indices from most to least important (depth-order.ts). */
  readonly depthOrder: readonly number[];
  readonly tables: RouterTables;
}

/** Constant per-entry tables over the architecture vector (width entries first, then depth). */
export interface RouterTables {
  /** Width entries W and depth gates D (vectorLength = W + D). */
  readonly width: number;
  readonly depth: number;
  /** Per width group: [offset, width]. */
  readonly groups: readonly (readonly [number, number])[];
  /** Per width entry: index of the depth gate of its unit, or -1. */
  readonly entryDepth: Int32Array;
  /** Per entry of the vector: sqrt(1/group width) (1 for depth gates), times the MACs share when resource-aware. */
  readonly routingScale: Float32Array;
}

export const ROUTER_DEFAULTS = {
  kind: 'router', experts: 8, temperature: 0.4, offset: 3, optimalTransport: true, sinkhornEpsilon: 0.05, sinkhornIterations: 3, resourceAwareNormalization: false,
} as const satisfies Required<RouterOptions>;

/** A router spec for a resolved UNet; `macs` is needed only for resource-aware normalisation. */
export function routerSpec(arch: UNetArch, layout: GateLayout, embedDim: number, options: RouterOptions = {}, macs?: UNetMacs): RouterSpec {
  const o = { ...ROUTER_DEFAULTS, ...options };
  const bad = (what: string, value: unknown): never => {
    throw new EngineError('invalid-argument', `Router: ${what}.`, { value });
  };
  if (!Number.isInteger(o.experts) || o.experts < 1) bad(`the number of experts must be a whole number >= 1 (got ${o.experts})`, o.experts);
  if (o.kind === 'router' && o.experts > layout.vectorLength) bad(`K = ${o.experts} codes cannot be orthogonal in ${layout.vectorLength} dimensions; use at most ${layout.vectorLength}`, o.experts);
  if (!Number.isInteger(embedDim) || embedDim < 1) bad(`the prompt-embedding width must be a whole number >= 1 (got ${embedDim})`, embedDim);
  if (!(o.temperature > 0)) bad(`the Gumbel temperature must be > 0 (got ${o.temperature})`, o.temperature);
  if (!(o.sinkhornEpsilon > 0) || !Number.isInteger(o.sinkhornIterations) || o.sinkhornIterations < 1) bad('Sinkhorn needs epsilon > 0 and at least one iteration', [o.sinkhornEpsilon, o.sinkhornIterations]);
  if (layout.widthGroups.length === 0) bad('the model has no gate sites, so there is nothing to prune', 0);
  if (o.resourceAwareNormalization && !macs) bad('resource-aware normalisation needs the UNet MACs', null);
  return {
    kind: o.kind, layout, embedDim, experts: o.kind === 'single' ? 1 : o.experts, temperature: o.temperature, offset: o.offset,
    optimalTransport: o.optimalTransport, sinkhornEpsilon: o.sinkhornEpsilon, sinkhornIterations: o.sinkhornIterations,
    depthOrder: depthOrder(arch, layout), tables: routerTables(layout, o.resourceAwareNormalization ? macs : undefined),
  };
}

function routerTables(layout: GateLayout, macs: UNetMacs | undefined): RouterTables {
  const width = layout.widthEntries;
  const depthOfUnit = new Map(layout.depthGroups.map((g, i) => [g.unit, i]));
  const entryDepth = new Int32Array(width).fill(-1);
  const routingScale = new Float32Array(layout.vectorLength).fill(1);
  for (const g of layout.widthGroups) {
    for (let e = g.offset; e < g.offset + g.width; e++) {
      entryDepth[e] = depthOfUnit.get(g.unit) ?? -1;
      routingScale[e] = Math.sqrt(1 / g.width);
    }
  }
  if (macs) applyMacsShare(layout, macs, routingScale);
  return { width, depth: layout.depthGroups.length, groups: layout.widthGroups.map((g) => [g.offset, g.width] as const), entryDepth, routingScale };
}

/** Resource-aware normalisation (the authors' prunable-MACs template): every entry of a width group
 * is weighted by the group's MACs, a depth gate by its unit's width MACs, both over R(all on). */
function applyMacsShare(layout: GateLayout, macs: UNetMacs, scale: Float32Array): void {
  const unitWidthMacs = new Map<string, number>();
  for (const g of layout.widthGroups) {
    const groupMacs = (macs.perEntry[g.id] ?? 0) * g.width;
    unitWidthMacs.set(g.unit, (unitWidthMacs.get(g.unit) ?? 0) + groupMacs);
    for (let e = g.offset; e < g.offset + g.width; e++) scale[e] = (scale[e] ?? 1) * (groupMacs / macs.prunable);
  }
  for (const g of layout.depthGroups) scale[g.offset] = (scale[g.offset] ?? 1) * ((unitWidthMacs.get(g.unit) ?? 0) / macs.prunable);
}
