// diffusers ResnetBlock2D (time_embedding_norm 'default', silu) with its APTP width gate after
// conv1 + time_emb_proj and before norm2, plus the UNet's Downsample2D / Upsample2D convs.
import type { GraphBuilder, Value } from '../../../ir';
import type { ResnetArch } from './arch';
import type { UNetGates } from './gating';
import { conv2d, groupNorm, linear, type Params } from './layers';

export interface ResnetContext {
  readonly b: GraphBuilder;
  readonly p: Params;
  readonly groups: number;
  readonly eps: number;
  /** silu(temb) [N, tembDim], shared by every ResNet, or undefined (VAE ResNets have no time input). */
  readonly tembAct?: Value;
  readonly tembDim?: number;
  readonly gates?: UNetGates;
}

/** ResnetBlock2D on x [N, inC, H, W]; returns [N, outC, H, W]. */
export function resnetBlock(ctx: ResnetContext, r: Pick<ResnetArch, 'path' | 'inC' | 'outC' | 'outScale'> & { readonly widthGate?: string }, x: Value): Value {
  const { b, p } = ctx;
  return b.scope(r.path, () => {
    let h = b.silu(groupNorm(b, p, `${r.path}.norm1`, x, ctx.groups, ctx.eps));
    h = conv2d(b, p, `${r.path}.conv1`, h, r.inC, r.outC, 3);
    if (ctx.tembAct && ctx.tembDim) {
      const t = linear(b, p, `${r.path}.time_emb_proj`, ctx.tembAct, ctx.tembDim, r.outC);
      h = b.add(h, b.unsqueeze(t, [2, 3]));
    }
    if (ctx.gates && r.widthGate !== undefined) h = ctx.gates.channels(h, r.widthGate);
    h = b.silu(groupNorm(b, p, `${r.path}.norm2`, h, ctx.groups, ctx.eps));
    h = conv2d(b, p, `${r.path}.conv2`, h, r.outC, r.outC, 3);
    const shortcut = r.inC !== r.outC ? conv2d(b, p, `${r.path}.conv_shortcut`, x, r.inC, r.outC, 1) : x;
    const out = b.add(shortcut, h);
    return r.outScale === 1 ? out : b.div(out, r.outScale);
  });
}

/** Downsample2D(use_conv): 3x3 stride-2 conv; `pad` 1 in the UNet, 0 with a (0,1,0,1) pad in the VAE. */
export function downsample(b: GraphBuilder, p: Params, key: string, x: Value, channels: number, pad: number): Value {
  return b.scope(key, () => {
    if (pad > 0) return conv2d(b, p, key, x, channels, channels, 3, { stride: 2, pad });
    const padded = b.pad(x, [0, 0, 0, 0, 0, 0, 1, 1]);
    return conv2d(b, p, key, padded, channels, channels, 3, { stride: 2, pad: 0 });
  });
}

/**
 * Upsample2D(use_conv): nearest x2 then a 3x3 conv. `size` [H, W] is the skip's size it must meet:
 * smaller than 2x when an odd size was halved (rounding up), where diffusers interpolates to that
 * size; nearest x2 cropped to it takes the same source pixels (floor(i * ceil(s/2) / s) = floor(i / 2)).
 */
export function upsample(b: GraphBuilder, p: Params, key: string, x: Value, channels: number, size?: readonly [number, number]): Value {
  return b.scope(key, () => {
    let up = b.upsampleNearest(x, 2);
    const [, , h = 0, w = 0] = up.type.shape;
    if (size && (size[0] !== h || size[1] !== w)) up = b.slice(up, [0, 0], [size[0], size[1]], [2, 3]);
    return conv2d(b, p, key, up, channels, channels, 3);
  });
}
