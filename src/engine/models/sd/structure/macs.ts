// UNet compute accounting as APTP.md "Compute accounting" defines it, at batch 1 and a given latent
// size, all gates on: conv k*k*Cin*Cout*HW (+Cout*HW bias), linear tokens*in*out, attention
// heads*(2*Sq*Sk*hd + Sq*Sk) with the real key length (77 text tokens for cross-attention), norms
// and activations one MAC per element. Each prunable unit splits into MACs per gate entry (what one
// ResNet group / head / FF group costs) and a fixed part (what a depth gate also removes).
import type { ResnetArch, TransformerArch, UNetArch } from '../unet/arch';
import { FF_GATE_GROUPS } from './gates';

export interface UnitMacs {
  readonly unit: string;
  readonly block: string;
  readonly kind: 'resnet' | 'transformer';
  /** MACs per entry of each width group of the unit (by gate group id). */
  readonly perEntry: Readonly<Record<string, number>>;
  /** MACs of all width entries together (all gates on). */
  readonly prunable: number;
  /** MACs no width gate touches (norms, shortcuts, projections in/out...). */
  readonly fixed: number;
  /** The depth gate group id when the unit has one. */
  readonly depthGate: string | null;
}

export interface UNetMacs {
  readonly latent: { readonly height: number; readonly width: number };
  readonly textLength: number;
  readonly units: readonly UnitMacs[];
  /** MACs per entry of every width group, by id. */
  readonly perEntry: Readonly<Record<string, number>>;
  /** R(all on): width-gated MACs plus the fixed MACs of depth-gated units. */
  readonly prunable: number;
  /** Everything: units plus conv_in/out, time embedding, samplers, output norm. */
  readonly total: number;
}

const conv = (k: number, cin: number, cout: number, hw: number): number => k * k * cin * cout * hw + cout * hw;

function resnetMacs(r: ResnetArch, tembDim: number, hw: number, groups: number): { perEntry: number; fixed: number } {
  const { inC, outC } = r;
  const prunable = conv(3, inC, outC, hw) + tembDim * outC + 3 * outC * hw + 9 * outC * outC * hw;
  const shortcut = inC !== outC ? conv(1, inC, outC, hw) : 0;
  const fixed = 2 * inC * hw + outC * hw + shortcut + outC * hw + (r.outScale !== 1 ? outC * hw : 0);
  return { perEntry: prunable / groups, fixed };
}

function attentionHead(t: TransformerArch, tokens: number, keys: number, kvDim: number): number {
  const hd = t.headDim;
  return tokens * t.channels * hd + 2 * keys * kvDim * hd + 2 * tokens * keys * hd + tokens * keys + tokens * hd * t.channels;
}

function transformerMacs(t: TransformerArch, hw: number, textLength: number, linearProjection: boolean): { perEntry: Record<string, number>; prunable: number; fixed: number } {
  const c = t.channels;
  const inner = t.heads * t.headDim;
  const ffInner = c * 4;
  const g = ffInner / FF_GATE_GROUPS;
  const perEntry: Record<string, number> = {};
  let prunable = 0;
  for (const block of t.blocks) {
    const [self, cross, ff] = [attentionHead(t, hw, hw, c), attentionHead(t, hw, textLength, t.crossDim), hw * c * 2 * g + 2 * hw * g + hw * g * c];
    perEntry[block.attn1] = self;
    perEntry[block.attn2] = cross;
    perEntry[block.ff] = ff;
    prunable += t.heads * (self + cross) + FF_GATE_GROUPS * ff;
  }
  const proj = linearProjection ? hw * c * inner : conv(1, c, inner, hw);
  const fixed = c * hw + 2 * proj + c * hw + t.layers * 6 * hw * c;
  return { perEntry, prunable, fixed };
}

function otherMacs(arch: UNetArch, height: number, width: number): number {
  const hw0 = height * width;
  const temb = arch.baseC * arch.tembDim + 2 * arch.tembDim + arch.tembDim * arch.tembDim;
  let samplers = 0;
  for (const block of arch.blocks) {
    if (!block.sampler) continue;
    const outLevel = block.kind === 'down' ? block.level + 1 : block.level - 1;
    samplers += conv(3, block.sampler.channels, block.sampler.channels, hw0 / 4 ** outLevel);
  }
  return conv(3, arch.inC, arch.baseC, hw0) + temb + samplers + 2 * arch.baseC * hw0 + conv(3, arch.baseC, arch.outC, hw0);
}

/** MACs of the UNet at a latent size (e.g. 32x32 for 256 px training), per unit and gate group. */
export function unetMacs(arch: UNetArch, latent: { height: number; width: number }, textLength = 77): UNetMacs {
  const hw0 = latent.height * latent.width;
  const units: UnitMacs[] = [];
  const perEntry: Record<string, number> = {};
  for (const block of arch.blocks) {
    for (const r of block.resnets) {
      const m = resnetMacs(r, arch.tembDim, hw0 / 4 ** r.level, arch.groups);
      perEntry[r.path] = m.perEntry;
      units.push({ unit: r.path, block: block.path, kind: 'resnet', perEntry: { [r.path]: m.perEntry }, prunable: m.perEntry * arch.groups, fixed: m.fixed, depthGate: r.depthGate ?? null });
    }
    for (const t of block.transformers) {
      const m = transformerMacs(t, hw0 / 4 ** t.level, textLength, arch.linearProjection);
      Object.assign(perEntry, m.perEntry);
      units.push({ unit: t.path, block: block.path, kind: 'transformer', perEntry: m.perEntry, prunable: m.prunable, fixed: m.fixed, depthGate: t.depthGate ?? null });
    }
  }
  const prunable = units.reduce((s, u) => s + u.prunable + (u.depthGate ? u.fixed : 0), 0);
  const total = units.reduce((s, u) => s + u.prunable + u.fixed, 0) + otherMacs(arch, latent.height, latent.width);
  return { latent: { ...latent }, textLength, units, perEntry, prunable, total };
}
