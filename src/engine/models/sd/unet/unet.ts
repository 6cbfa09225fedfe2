// UNet2DConditionModel as an IR graph, from its diffusers config: sinusoidal timestep embedding
// (flip_sin_to_cos, freq_shift) and TimestepEmbedding, center_input_sample (2x - 1), conv_in, down
// blocks (downsample_padding 1, or 0 with a right/bottom pad), the cross-attention mid block, up
// blocks with skip concatenation, conv_norm_out/silu/conv_out. Initializers are named by
// diffusers state-dict keys. Gate sites are optional graph inputs (see gating.ts); with gates
// 'none' the graph is the plain model. Inputs: sample [N,4,H,W], timestep [N] (float),
// encoder_hidden_states [N,S,cross]; output out_sample [N,4,H,W] (+ block outputs on request).
import type { Graph, Value } from '../../../ir';
import { GraphBuilder } from '../../../ir';
import { EngineError } from '../../../core/errors';
import type { UNetConfig } from '../config/unet';
import { gateLayout, type GateLayout } from '../structure/gates';
import { resolveUNet, type BlockArch, type UNetArch } from './arch';
import { UNetGates, type GateMode } from './gating';
import { checkDivisible, conv2d, groupNorm, linear, Params, type ComputeDType, type ParamSpec, type WeightProvider } from './layers';
import { downsample, resnetBlock, upsample, type ResnetContext } from './resnet';
import { transformer2d, type TransformerContext } from './transformer';

export const UNET_INPUTS = { sample: 'sample', timestep: 'timestep', context: 'encoder_hidden_states' } as const;
export const UNET_OUTPUT = 'out_sample';

/** Output name of a block's result when blockOutputs is on ('block:down_blocks.0', 'block:mid_block'...). */
export function blockOutputName(block: string): string {
  return `block:${block}`;
}

export interface UNetBuildOptions {
  readonly batch: number;
  /** Latent height and width (pixels / 8). */
  readonly height: number;
  readonly width: number;
  /** Text tokens in encoder_hidden_states (default 77). */
  readonly textLength?: number;
  readonly dtype?: ComputeDType;
  readonly weights: WeightProvider;
  readonly gates?: GateMode;
  /** Also output each block's result (4 down, mid, 4 up for SD) for block distillation losses. */
  readonly blockOutputs?: boolean;
  readonly name?: string;
}

export interface BuiltUNet {
  readonly graph: Graph;
  readonly params: readonly ParamSpec[];
  readonly arch: UNetArch;
  readonly layout: GateLayout;
}

interface Ctx {
  readonly b: GraphBuilder;
  readonly p: Params;
  readonly arch: UNetArch;
  readonly gates: UNetGates;
  readonly res: ResnetContext;
  readonly tr: TransformerContext;
  /** diffusers downsample_padding: 1 pads the stride-2 conv, 0 pads right/bottom by one first. */
  readonly downsamplePadding: number;
}

function timestepEmbedding(b: GraphBuilder, arch: UNetArch, t: Value, dtype: ComputeDType): Value {
  const half = Math.floor(arch.baseC / 2);
  if (arch.baseC % 2 !== 0) throw new EngineError('unsupported-model', `block_out_channels[0] ${arch.baseC} is odd; SD UNets have an even timestep embedding width.`, { baseC: arch.baseC });
  const freqs = Array.from({ length: half }, (_, i) => Math.fround(Math.exp(Math.fround(Math.fround(-Math.log(10000) * i) / (half - arch.freqShift)))));
  return b.scope('time_proj', () => {
    const arg = b.mul(b.unsqueeze(t, [1]), b.constant('float32', [1, half], freqs));
    const [sin, cos] = [b.sin(arg), b.cos(arg)];
    const emb = b.concat(arch.flipSinToCos ? [cos, sin] : [sin, cos], 1);
    return dtype === 'float32' ? emb : b.cast(emb, dtype);
  });
}

function downBlock(ctx: Ctx, block: BlockArch, h0: Value, skips: Value[]): Value {
  let h = h0;
  block.resnets.forEach((r, j) => {
    const x = h;
    h = resnetBlock(ctx.res, r, x);
    h = ctx.gates.depth(r.depthGate, x, h);
    const t = block.transformers[j];
    if (t) {
      const y = h;
      h = transformer2d(ctx.tr, t, y);
      h = ctx.gates.depth(t.depthGate, y, h);
    }
    skips.push(h);
  });
  if (block.sampler) {
    h = downsample(ctx.b, ctx.p, block.sampler.path, h, block.sampler.channels, ctx.downsamplePadding);
    skips.push(h);
  }
  return h;
}

function midBlock(ctx: Ctx, block: BlockArch, h0: Value): Value {
  const [first, ...rest] = block.resnets;
  if (!first) return h0;
  let h = resnetBlock(ctx.res, first, h0);
  rest.forEach((r, j) => {
    const t = block.transformers[j];
    if (t) h = transformer2d(ctx.tr, t, h);
    h = resnetBlock(ctx.res, r, h);
  });
  return h;
}

function upBlock(ctx: Ctx, block: BlockArch, h0: Value, skips: Value[]): Value {
  let h = h0;
  block.resnets.forEach((r, j) => {
    const skip = skips.pop();
    if (!skip) throw new EngineError('graph-invalid', `${r.path}: no skip connection left to concatenate.`, { unit: r.path });
    const x = h;
    h = resnetBlock(ctx.res, r, ctx.b.concat([x, skip], 1));
    h = ctx.gates.depth(r.depthGate, x, h);
    const t = block.transformers[j];
    if (t) {
      const y = h;
      h = transformer2d(ctx.tr, t, y);
      h = ctx.gates.depth(t.depthGate, y, h);
    }
  });
  const next = skips[skips.length - 1]?.type.shape;
  if (block.sampler) h = upsample(ctx.b, ctx.p, block.sampler.path, h, block.sampler.channels, next ? [next[2] ?? 0, next[3] ?? 0] : undefined);
  return h;
}

/** Builds the UNet graph for `config` with weights from `options.weights`. */
export function buildUNet(config: UNetConfig, options: UNetBuildOptions): BuiltUNet {
  const arch = resolveUNet(config);
  const layout = gateLayout(arch);
  // Odd sizes halve rounding up and the up path crops back (as diffusers' upsample_size); the
  // right/bottom pad of downsample_padding 0 rounds down instead, so there sizes must halve evenly.
  const halvings = config.downsample_padding === 0 ? arch.levels - 1 : 0;
  checkDivisible('Latent height', options.height, halvings);
  checkDivisible('Latent width', options.width, halvings);
  const dtype = options.dtype ?? 'float32';
  const n = options.batch;
  const b = new GraphBuilder(options.name ?? 'unet');
  const p = new Params(b, options.weights, dtype);
  const sample = b.input(UNET_INPUTS.sample, dtype, [n, arch.inC, options.height, options.width]);
  const timestep = b.input(UNET_INPUTS.timestep, 'float32', [n]);
  const context = b.input(UNET_INPUTS.context, dtype, [n, options.textLength ?? 77, arch.crossDim]);
  const gates = new UNetGates(b, layout, options.gates ?? 'none', n, dtype);
  const temb = b.scope('time_embedding', () => {
    const e = timestepEmbedding(b, arch, timestep, dtype);
    const h = b.silu(linear(b, p, 'time_embedding.linear_1', e, arch.baseC, arch.tembDim));
    return linear(b, p, 'time_embedding.linear_2', h, arch.tembDim, arch.tembDim);
  });
  const res: ResnetContext = { b, p, groups: arch.groups, eps: arch.eps, tembAct: b.silu(temb), tembDim: arch.tembDim, gates };
  const ctx: Ctx = { b, p, arch, gates, res, tr: { b, p, groups: arch.groups, linearProjection: arch.linearProjection, context, gates }, downsamplePadding: config.downsample_padding };
  const input = config.center_input_sample ? b.sub(b.mul(sample, 2), 1) : sample;
  let h = conv2d(b, p, 'conv_in', input, arch.inC, arch.baseC, 3);
  const skips: Value[] = [h];
  for (const block of arch.blocks) {
    if (block.kind === 'down') h = downBlock(ctx, block, h, skips);
    else if (block.kind === 'mid') h = midBlock(ctx, block, h);
    else h = upBlock(ctx, block, h, skips);
    if (options.blockOutputs) b.output(h, blockOutputName(block.path));
  }
  h = b.silu(groupNorm(b, p, 'conv_norm_out', h, arch.groups, arch.eps));
  b.output(conv2d(b, p, 'conv_out', h, arch.baseC, arch.outC, 3), UNET_OUTPUT);
  gates.checkAllWired();
  return { graph: b.build(), params: p.specs, arch, layout };
}
