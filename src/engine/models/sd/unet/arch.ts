// The UNet2DConditionModel of a config, resolved into the modules diffusers builds: every ResNet,
// Transformer2DModel and sampler with its state-dict path, channels, heads, resolution level and
// its APTP gate sites (width gate ids, and a depth gate id where it has one). Gate ids are made
// here and nowhere else: the graph builder (unet.ts, gating.ts), the gate layout and the MACs
// accounting (../structure) all read them from this one description, so they cannot disagree.
import { EngineError } from '../../../core/errors';
import type { UNetConfig } from '../config/unet';
import { unetBlocks } from '../config/unet';

export interface ResnetArch {
  readonly path: string;
  /** Input channels (in up blocks: hidden + skip). */
  readonly inC: number;
  readonly outC: number;
  /** Skip channels concatenated before it (up blocks), else 0. */
  readonly skipC: number;
  readonly level: number;
  readonly outScale: number;
  /** Width gate id (the module path): GroupNorm groups after conv1. */
  readonly widthGate: string;
  /** Depth gate id when the unit is depth-gated (APTP "half gated"), else undefined. */
  readonly depthGate?: string;
}

/** One BasicTransformerBlock: its path and the ids of its width gates (each its module path). */
export interface TransformerBlockArch {
  readonly path: string;
  readonly attn1: string;
  readonly attn2: string;
  readonly ff: string;
}

export interface TransformerArch {
  readonly path: string;
  readonly channels: number;
  readonly heads: number;
  readonly headDim: number;
  readonly crossDim: number;
  /** BasicTransformerBlocks inside (transformer_layers_per_block). */
  readonly layers: number;
  readonly blocks: readonly TransformerBlockArch[];
  readonly level: number;
  /** Depth gate id when the unit is depth-gated, else undefined. */
  readonly depthGate?: string;
}

export type BlockKind = 'down' | 'mid' | 'up';

export interface BlockArch {
  /** 'down_blocks.0', 'mid_block', 'up_blocks.2'. */
  readonly path: string;
  readonly kind: BlockKind;
  readonly level: number;
  readonly resnets: readonly ResnetArch[];
  readonly transformers: readonly TransformerArch[];
  /** Downsampler (down) or upsampler (up) conv path and channels, when the block has one. */
  readonly sampler?: { readonly path: string; readonly channels: number };
}

export interface UNetArch {
  readonly inC: number;
  readonly outC: number;
  /** block_out_channels[0]: conv_in output and timestep projection width. */
  readonly baseC: number;
  readonly tembDim: number;
  readonly flipSinToCos: boolean;
  readonly freqShift: number;
  readonly groups: number;
  readonly eps: number;
  readonly linearProjection: boolean;
  readonly crossDim: number;
  /** Number of resolution levels (down blocks); the latent must divide by 2^(levels-1). */
  readonly levels: number;
  readonly blocks: readonly BlockArch[];
}

/** Id of the depth gate of a unit (a ResNet or Transformer2DModel path). */
export function depthGateId(unit: string): string {
  return `${unit}:depth`;
}

/** Depth gates sit on the last ResNet and last transformer of each down/up block (APTP "half gated"). */
function depthFlags(count: number, kind: BlockKind): (i: number) => boolean {
  return (i) => kind !== 'mid' && i === count - 1;
}

const depthGateOf = (path: string, gated: boolean): { depthGate?: string } => (gated ? { depthGate: depthGateId(path) } : {});

function transformerBlocks(path: string, layers: number): TransformerBlockArch[] {
  return Array.from({ length: layers }, (_, t) => {
    const block = `${path}.transformer_blocks.${t}`;
    return { path: block, attn1: `${block}.attn1`, attn2: `${block}.attn2`, ff: `${block}.ff` };
  });
}

function resnet(r: Omit<ResnetArch, 'widthGate' | 'depthGate'>, depthGated: boolean): ResnetArch {
  return { ...r, widthGate: r.path, ...depthGateOf(r.path, depthGated) };
}

function transformerLayers(c: UNetConfig): number {
  const t = c.transformer_layers_per_block;
  if (typeof t === 'number') return t;
  const first = t[0];
  if (typeof first === 'number' && t.every((v) => v === first)) return first;
  throw new EngineError('unsupported-model', 'This UNet has a different transformer_layers_per_block per block (SDXL style); supported: SD 1.x and SD 2.x UNets.', { transformer_layers_per_block: t });
}

/** Resolves a parsed diffusers UNet config into its modules. */
export function resolveUNet(c: UNetConfig): UNetArch {
  const layout = unetBlocks(c);
  const n = layout.down.length;
  const groups = c.norm_num_groups ?? 32;
  const tLayers = transformerLayers(c);
  const crossDim = layout.down[0]?.crossAttentionDim ?? 0;
  const transformer = (path: string, spec: { channels: number; heads: number; headDim: number; crossAttentionDim: number }, level: number, depthGated: boolean): TransformerArch => ({
    path, channels: spec.channels, heads: spec.heads, headDim: spec.headDim, crossDim: spec.crossAttentionDim, layers: tLayers,
    blocks: transformerBlocks(path, tLayers), level, ...depthGateOf(path, depthGated),
  });
  const blocks: BlockArch[] = [];
  let channels = c.block_out_channels[0] ?? 0;
  const skips: number[] = [channels];
  layout.down.forEach((spec, i) => {
    const path = `down_blocks.${i}`;
    const gated = depthFlags(spec.layers, 'down');
    const resnets: ResnetArch[] = [];
    const transformers: TransformerArch[] = [];
    for (let j = 0; j < spec.layers; j++) {
      resnets.push(resnet({ path: `${path}.resnets.${j}`, inC: channels, outC: spec.channels, skipC: 0, level: i, outScale: 1 }, gated(j)));
      channels = spec.channels;
      if (spec.crossAttention) transformers.push(transformer(`${path}.attentions.${j}`, spec, i, gated(j)));
      skips.push(channels);
    }
    const last = i === n - 1;
    if (!last) skips.push(channels);
    blocks.push({ path, kind: 'down', level: i, resnets, transformers, ...(last ? {} : { sampler: { path: `${path}.downsamplers.0.conv`, channels } }) });
  });
  const mid = layout.mid;
  const midResnets = Array.from({ length: mid.layers + 1 }, (_, j): ResnetArch => resnet({ path: `mid_block.resnets.${j}`, inC: channels, outC: channels, skipC: 0, level: n - 1, outScale: c.mid_block_scale_factor }, false));
  const midTransformers = Array.from({ length: mid.layers }, (_, j) => transformer(`mid_block.attentions.${j}`, mid, n - 1, false));
  blocks.push({ path: 'mid_block', kind: 'mid', level: n - 1, resnets: midResnets, transformers: midTransformers });
  layout.up.forEach((spec, i) => {
    const path = `up_blocks.${i}`;
    const level = n - 1 - i;
    const gated = depthFlags(spec.layers, 'up');
    const resnets: ResnetArch[] = [];
    const transformers: TransformerArch[] = [];
    for (let j = 0; j < spec.layers; j++) {
      const skipC = skips.pop() ?? 0;
      resnets.push(resnet({ path: `${path}.resnets.${j}`, inC: channels + skipC, outC: spec.channels, skipC, level, outScale: 1 }, gated(j)));
      channels = spec.channels;
      if (spec.crossAttention) transformers.push(transformer(`${path}.attentions.${j}`, spec, level, gated(j)));
    }
    const last = i === n - 1;
    blocks.push({ path, kind: 'up', level, resnets, transformers, ...(last ? {} : { sampler: { path: `${path}.upsamplers.0.conv`, channels } }) });
  });
  return {
    inC: c.in_channels, outC: c.out_channels, baseC: c.block_out_channels[0] ?? 0, tembDim: (c.block_out_channels[0] ?? 0) * 4,
    flipSinToCos: c.flip_sin_to_cos, freqShift: c.freq_shift, groups, eps: c.norm_eps, linearProjection: c.use_linear_projection,
    crossDim, levels: n, blocks: fixDownDepth(blocks),
  };
}

/** A depth gate mixes a unit's input and output, so it needs equal shapes: drop it where they differ. */
function fixDownDepth(blocks: BlockArch[]): BlockArch[] {
  const ungated = ({ depthGate: _dropped, ...r }: ResnetArch): ResnetArch => r;
  return blocks.map((block) => ({ ...block, resnets: block.resnets.map((r) => (r.depthGate && r.inC - r.skipC !== r.outC ? ungated(r) : r)) }));
}
