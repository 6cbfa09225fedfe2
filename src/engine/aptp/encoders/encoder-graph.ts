// A sentence-transformers encoder as an IR graph: BERT (absolute positions, token type 0) or MPNet
// (positions counted past the padding index, T5-style relative attention bias), post-LN encoder
// layers with exact-GELU feed-forwards, then mean (or CLS) pooling over the attention mask and the
// optional L2 normalisation. Inputs input_ids and attention_mask int64 [N, L]; output embedding [N, H].
import type { GraphBuilder, Value } from '../../ir';
import { GraphBuilder as Builder, type Graph } from '../../ir';
import { attention, layerNorm, linear, Params, type WeightProvider } from '../../models/sd/unet/layers';
import type { EncoderConfig, Pooling } from './st-folder';

export const SENTENCE_INPUTS = { ids: 'input_ids', mask: 'attention_mask' } as const;
export const SENTENCE_OUTPUT = 'sentence_embedding';

export interface SentenceGraphOptions {
  readonly batch: number;
  readonly length: number;
  readonly pooling: Pooling;
  readonly normalize: boolean;
  /** State-dict key prefix of the transformer ('' or e.g. 'bert.'). */
  readonly prefix: string;
}

const LOWEST = -3.4028234663852886e38;

/** MPNet's relative-position bucket of i - j (bidirectional, 32 buckets, max distance 128), in float32 as torch computes it. */
export function relativeBucket(relative: number, buckets = 32, maxDistance = 128): number {
  const half = buckets / 2;
  let n = -relative;
  const ret = n < 0 ? half : 0;
  n = Math.abs(n);
  const maxExact = half / 2;
  if (n < maxExact) return ret + n;
  const f = Math.fround;
  const large = maxExact + Math.trunc(f(f(f(Math.log(f(n / maxExact))) / f(Math.log(maxDistance / maxExact))) * (half - maxExact)));
  return ret + Math.min(large, half - 1);
}

function embeddings(b: GraphBuilder, p: Params, c: EncoderConfig, pre: string, ids: Value, l: number): Value {
  const words = b.gather(p.get(`${pre}embeddings.word_embeddings.weight`, [c.vocabSize, c.hidden]), ids, 0);
  const table = p.get(`${pre}embeddings.position_embeddings.weight`, [c.maxPositions, c.hidden]);
  let positions: Value;
  if (c.family === 'mpnet') {
    const real = b.cast(b.not(b.equal(ids, b.scalar(c.padTokenId, 'int64'))), 'int64');
    positions = b.gather(table, b.add(b.mul(b.cumSum(real, 1), real), b.scalar(c.padTokenId, 'int64')), 0);
  } else {
    positions = b.unsqueeze(b.slice(table, [0], [l], [0]), [0]);
  }
  let h = b.add(words, positions);
  if (c.family === 'bert') h = b.add(h, b.slice(p.get(`${pre}embeddings.token_type_embeddings.weight`, [c.typeVocabSize, c.hidden]), [0], [1], [0]));
  return layerNorm(b, p, `${pre}embeddings.LayerNorm`, h, c.layerNormEps);
}

function layer(b: GraphBuilder, p: Params, c: EncoderConfig, key: string, x: Value, bias: Value): Value {
  return b.scope(key, () => {
    const names = c.family === 'mpnet'
      ? { q: 'attention.attn.q', k: 'attention.attn.k', v: 'attention.attn.v', o: 'attention.attn.o', ln1: 'attention.LayerNorm' }
      : { q: 'attention.self.query', k: 'attention.self.key', v: 'attention.self.value', o: 'attention.output.dense', ln1: 'attention.output.LayerNorm' };
    const h = c.hidden;
    const lin = (name: string, t: Value, i: number, o: number): Value => linear(b, p, `${key}.${name}`, t, i, o);
    const a = attention(b, lin(names.q, x, h, h), lin(names.k, x, h, h), lin(names.v, x, h, h), c.heads, { mask: bias });
    const x1 = layerNorm(b, p, `${key}.${names.ln1}`, b.add(lin(names.o, a, h, h), x), c.layerNormEps);
    const ff = lin('output.dense', b.gelu(lin('intermediate.dense', x1, h, c.intermediate)), c.intermediate, h);
    return layerNorm(b, p, `${key}.output.LayerNorm`, b.add(ff, x1), c.layerNormEps);
  });
}

/** Additive attention bias [N or 1, H or 1, L, L]: padding keys get float32's lowest; MPNet adds its relative bias. */
function attentionBias(b: GraphBuilder, p: Params, c: EncoderConfig, pre: string, maskF: Value, n: number, l: number): Value {
  const pad = b.reshape(b.mul(b.sub(1, maskF), LOWEST), [n, 1, 1, l]);
  if (c.family !== 'mpnet') return pad;
  const buckets = Array.from({ length: l * l }, (_, k) => relativeBucket(k % l - Math.floor(k / l)));
  const table = p.get(`${pre}encoder.relative_attention_bias.weight`, [c.relativeBuckets, c.heads]);
  const rel = b.transpose(b.gather(table, b.constant('int64', [l, l], buckets), 0), [2, 0, 1]);
  return b.add(b.unsqueeze(rel, [0]), pad);
}

/** The whole sentence encoder graph. */
export function buildSentenceEncoder(c: EncoderConfig, weights: WeightProvider, o: SentenceGraphOptions): { graph: Graph; params: Params } {
  const b = new Builder('sentence_encoder');
  const p = new Params(b, weights, 'float32');
  const { batch: n, length: l, prefix: pre } = o;
  const ids = b.input(SENTENCE_INPUTS.ids, 'int64', [n, l]);
  const mask = b.input(SENTENCE_INPUTS.mask, 'int64', [n, l]);
  const maskF = b.cast(mask, 'float32');
  const bias = attentionBias(b, p, c, pre, maskF, n, l);
  let h = embeddings(b, p, c, pre, ids, l);
  for (let i = 0; i < c.layers; i++) h = layer(b, p, c, `${pre}encoder.layer.${i}`, h, bias);
  let pooled: Value;
  if (o.pooling === 'cls') pooled = b.squeeze(b.slice(h, [0], [1], [1]), [1]);
  else {
    const m = b.unsqueeze(maskF, [2]);
    pooled = b.div(b.reduceSum(b.mul(h, m), [1], false), b.max(b.reduceSum(m, [1], false), 1e-9));
  }
  if (o.normalize) pooled = b.div(pooled, b.max(b.sqrt(b.reduceSum(b.mul(pooled, pooled), [1])), 1e-12));
  b.output(pooled, SENTENCE_OUTPUT);
  return { graph: b.build(), params: p };
}
