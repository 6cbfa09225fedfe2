// APTP gate sites of a UNet (../../../../../shared/APTP.md "Prunable units") and the architecture
// vector layout: every width group in block order (per block its ResNets, then its transformers,
// each transformer block contributing [attn1 heads, attn2 heads, ff 32]), then the depth gates in
// block order (the last ResNet and the last transformer of each down/up block). SD 2.1 gives 70
// width groups with 1606 entries + 14 depth gates = 1620.
import { EngineError } from '../../../core/errors';
import type { UNetArch } from '../unet/arch';

export { depthGateId } from '../unet/arch';

export type WidthKind = 'resnet' | 'attn1' | 'attn2' | 'ff';
export type GateKind = WidthKind | 'depth';

/** Feed-forward gates: 32 groups of the GEGLU hidden (4C) per transformer block. */
export const FF_GATE_GROUPS = 32;

export interface GateGroup {
  /** Module path, e.g. 'down_blocks.0.resnets.0', '...transformer_blocks.0.attn2'; depth: '<unit>:depth'. */
  readonly id: string;
  readonly kind: GateKind;
  /** Entries in the architecture vector (GroupNorm groups, heads, 32, or 1 for depth). */
  readonly width: number;
  /** 'down_blocks.1', 'mid_block', 'up_blocks.3'. */
  readonly block: string;
  /** The ResNet or Transformer2DModel this group belongs to (a depth gate gates the whole unit). */
  readonly unit: string;
  /** First entry in the architecture vector. */
  readonly offset: number;
}

export interface GateLayout {
  /** Width groups then depth groups, in vector order. */
  readonly groups: readonly GateGroup[];
  readonly widthGroups: readonly GateGroup[];
  readonly depthGroups: readonly GateGroup[];
  readonly widthEntries: number;
  readonly vectorLength: number;
}

/** Graph input name of a gate group ([batch, width]). */
export function gateInputName(id: string): string {
  return `gate:${id}`;
}

/** The one graph input carrying the whole architecture vector ([batch, vectorLength]). */
export const ARCH_VECTOR_INPUT = 'arch_vector';

type Draft = Omit<GateGroup, 'offset'>;

/** Gate groups and vector layout of a resolved UNet (the ids are the ones its description carries). */
export function gateLayout(arch: UNetArch): GateLayout {
  const width: Draft[] = [];
  const depth: Draft[] = [];
  for (const block of arch.blocks) {
    for (const r of block.resnets) width.push({ id: r.widthGate, kind: 'resnet', width: arch.groups, block: block.path, unit: r.path });
    for (const tr of block.transformers) {
      const inner = tr.channels * 4;
      if (inner % FF_GATE_GROUPS !== 0) {
        throw new EngineError('unsupported-model', `${tr.path}: the feed-forward width ${inner} cannot be split into ${FF_GATE_GROUPS} gate groups; APTP needs channels divisible by 8.`, { unit: tr.path, inner });
      }
      for (const tb of tr.blocks) {
        width.push({ id: tb.attn1, kind: 'attn1', width: tr.heads, block: block.path, unit: tr.path });
        width.push({ id: tb.attn2, kind: 'attn2', width: tr.heads, block: block.path, unit: tr.path });
        width.push({ id: tb.ff, kind: 'ff', width: FF_GATE_GROUPS, block: block.path, unit: tr.path });
      }
    }
    for (const unit of [...block.resnets, ...block.transformers]) {
      if (unit.depthGate) depth.push({ id: unit.depthGate, kind: 'depth', width: 1, block: block.path, unit: unit.path });
    }
  }
  let offset = 0;
  const place = (d: Draft): GateGroup => {
    const g = { ...d, offset };
    offset += d.width;
    return g;
  };
  const widthGroups = width.map(place);
  const widthEntries = offset;
  const depthGroups = depth.map(place);
  return { groups: [...widthGroups, ...depthGroups], widthGroups, depthGroups, widthEntries, vectorLength: offset };
}
