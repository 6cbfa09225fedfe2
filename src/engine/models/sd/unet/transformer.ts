// diffusers Transformer2DModel (continuous input) as SD uses it: GroupNorm (eps 1e-6), proj_in
// (Linear or 1x1 Conv per use_linear_projection), BasicTransformerBlocks (LayerNorm, self-attention,
// LayerNorm, cross-attention over the text states, LayerNorm, GEGLU feed-forward, each residual),
// proj_out and the outer residual. APTP gates: per head on q/k/v of attn1 and attn2, per group of
// the GEGLU hidden on both halves.
import { EngineError } from '../../../core/errors';
import type { GraphBuilder, Value } from '../../../ir';
import type { TransformerArch, TransformerBlockArch } from './arch';
import type { UNetGates } from './gating';
import { attention, conv2d, groupNorm, layerNorm, linear, type Params } from './layers';

export interface TransformerContext {
  readonly b: GraphBuilder;
  readonly p: Params;
  readonly groups: number;
  readonly linearProjection: boolean;
  /** encoder_hidden_states [N, S, crossDim]. */
  readonly context: Value;
  readonly gates: UNetGates;
}

const LN_EPS = 1e-5;

function attn(ctx: TransformerContext, key: string, x: Value, kv: Value, kvDim: number, t: TransformerArch): Value {
  const { b, p } = ctx;
  const inner = t.heads * t.headDim;
  const q = linear(b, p, `${key}.to_q`, x, t.channels, inner, false);
  const k = linear(b, p, `${key}.to_k`, kv, kvDim, inner, false);
  const v = linear(b, p, `${key}.to_v`, kv, kvDim, inner, false);
  const gate = ctx.gates.gate(key);
  const o = attention(b, q, k, v, t.heads, gate ? { headGate: gate } : {});
  return linear(b, p, `${key}.to_out.0`, o, inner, t.channels);
}

function feedForward(ctx: TransformerContext, key: string, x: Value, dim: number): Value {
  const { b, p } = ctx;
  const inner = dim * 4;
  const proj = linear(b, p, `${key}.net.0.proj`, x, dim, inner * 2);
  let [h, g] = b.split(proj, [inner, inner], -1);
  if (!h || !g) throw new EngineError('graph-invalid', `${key}: Split must give the two GEGLU halves.`, { node: key });
  if (ctx.gates.mode !== 'none') {
    h = ctx.gates.lastAxis(h, key);
    g = ctx.gates.lastAxis(g, key);
  }
  return linear(b, p, `${key}.net.2`, b.mul(h, b.gelu(g)), inner, dim);
}

function basicBlock(ctx: TransformerContext, block: TransformerBlockArch, x: Value, t: TransformerArch): Value {
  const { b, p } = ctx;
  const key = block.path;
  return b.scope(key, () => {
    let h = x;
    const n1 = layerNorm(b, p, `${key}.norm1`, h, LN_EPS);
    h = b.add(attn(ctx, block.attn1, n1, n1, t.channels, t), h);
    const n2 = layerNorm(b, p, `${key}.norm2`, h, LN_EPS);
    h = b.add(attn(ctx, block.attn2, n2, ctx.context, t.crossDim, t), h);
    const n3 = layerNorm(b, p, `${key}.norm3`, h, LN_EPS);
    return b.add(feedForward(ctx, block.ff, n3, t.channels), h);
  });
}

/** Transformer2DModel on x [N, C, H, W]; returns the same shape. */
export function transformer2d(ctx: TransformerContext, t: TransformerArch, x: Value): Value {
  const { b, p } = ctx;
  const [n = 0, c = 0, hgt = 0, wid = 0] = x.type.shape;
  const inner = t.heads * t.headDim;
  return b.scope(t.path, () => {
    const normed = groupNorm(b, p, `${t.path}.norm`, x, ctx.groups, 1e-6);
    const toTokens = (v: Value, ch: number): Value => b.transpose(b.reshape(v, [n, ch, hgt * wid]), [0, 2, 1]);
    let h = ctx.linearProjection
      ? linear(b, p, `${t.path}.proj_in`, toTokens(normed, c), c, inner)
      : toTokens(conv2d(b, p, `${t.path}.proj_in`, normed, c, inner, 1), inner);
    for (const block of t.blocks) h = basicBlock(ctx, block, h, t);
    const toImage = (v: Value, ch: number): Value => b.reshape(b.transpose(v, [0, 2, 1]), [n, ch, hgt, wid]);
    const out = ctx.linearProjection
      ? toImage(linear(b, p, `${t.path}.proj_out`, h, inner, c), c)
      : conv2d(b, p, `${t.path}.proj_out`, toImage(h, inner), inner, c, 1);
    return b.add(out, x);
  });
}
