// transformers CLIPTextModel as an IR graph, from its config: token + position embeddings, pre-LN
// encoder layers with causal self-attention and an MLP (quick_gelu for SD 1.x, gelu for SD 2.x),
// final LayerNorm. SD 2.x configs already say 23 layers (the pipeline's penultimate-layer choice is
// baked into num_hidden_layers), so last_hidden_state is what every SD pipeline feeds the UNet.
// Input input_ids int64 [N, S] (S <= max_position_embeddings); outputs last_hidden_state [N, S, H]
// and pooler_output [N, H] (the state at the end-of-text token, as transformers picks it).
import { EngineError } from '../../../core/errors';
import type { Graph, Value } from '../../../ir';
import { GraphBuilder } from '../../../ir';
import type { ClipTextConfig } from '../config/clip';
import { attention, layerNorm, linear, Params, type ComputeDType, type ParamSpec, type WeightProvider } from '../unet/layers';

export const CLIP_INPUT = 'input_ids';
export const CLIP_OUTPUTS = { hidden: 'last_hidden_state', pooled: 'pooler_output' } as const;

export interface ClipBuildOptions {
  readonly batch: number;
  /** Tokens per prompt (default 77, the SD tokenizer's padded length). */
  readonly length?: number;
  readonly dtype?: ComputeDType;
  readonly weights: WeightProvider;
  readonly name?: string;
}

export interface BuiltClip {
  readonly graph: Graph;
  readonly params: readonly ParamSpec[];
}

/** Additive causal mask [S, S] (float32, as attention scores always are): 0 on and below the diagonal, float32's lowest above. */
function causalMask(b: GraphBuilder, s: number): Value {
  const lowest = -3.4028234663852886e38;
  const values = new Array<number>(s * s).fill(0);
  for (let i = 0; i < s; i++) for (let j = i + 1; j < s; j++) values[i * s + j] = lowest;
  return b.constant('float32', [s, s], values);
}

function encoderLayer(b: GraphBuilder, p: Params, c: ClipTextConfig, i: number, x: Value, mask: Value): Value {
  const key = `text_model.encoder.layers.${i}`;
  const hsz = c.hidden_size;
  return b.scope(key, () => {
    const n1 = layerNorm(b, p, `${key}.layer_norm1`, x, c.layer_norm_eps);
    const q = linear(b, p, `${key}.self_attn.q_proj`, n1, hsz, hsz);
    const k = linear(b, p, `${key}.self_attn.k_proj`, n1, hsz, hsz);
    const v = linear(b, p, `${key}.self_attn.v_proj`, n1, hsz, hsz);
    const a = attention(b, q, k, v, c.num_attention_heads, { mask });
    const h = b.add(x, linear(b, p, `${key}.self_attn.out_proj`, a, hsz, hsz));
    const n2 = layerNorm(b, p, `${key}.layer_norm2`, h, c.layer_norm_eps);
    const f = linear(b, p, `${key}.mlp.fc1`, n2, hsz, c.intermediate_size);
    const act = c.hidden_act === 'quick_gelu' ? b.quickGelu(f) : b.gelu(f);
    return b.add(h, linear(b, p, `${key}.mlp.fc2`, act, c.intermediate_size, hsz));
  });
}

/** The state at each prompt's end-of-text token (transformers' pooled output rule). */
function pooled(b: GraphBuilder, c: ClipTextConfig, ids: Value, hidden: Value): Value {
  const [n = 0, , hsz = 0] = hidden.type.shape;
  const eos = Array.isArray(c.eos_token_id) ? c.eos_token_id[0] : c.eos_token_id;
  const score = eos === 2 || eos === null || eos === undefined ? b.cast(ids, 'float32') : b.cast(b.equal(ids, eos), 'float32');
  const at = b.argMax(score, 1, true);
  const index = b.expand(b.unsqueeze(at, [2]), [n, 1, hsz]);
  return b.squeeze(b.gatherElements(hidden, index, 1), [1]);
}

/** Builds CLIPTextModel for `config` with weights from `options.weights`. */
export function buildClipTextEncoder(config: ClipTextConfig, options: ClipBuildOptions): BuiltClip {
  const s = options.length ?? 77;
  if (!Number.isInteger(s) || s < 1 || s > config.max_position_embeddings) {
    throw new EngineError('invalid-argument', `Text length ${s} must be between 1 and max_position_embeddings ${config.max_position_embeddings}; the tokenizer's model_max_length must not exceed it.`, { length: s });
  }
  const dtype = options.dtype ?? 'float32';
  const b = new GraphBuilder(options.name ?? 'text_encoder');
  const p = new Params(b, options.weights, dtype);
  const ids = b.input(CLIP_INPUT, 'int64', [options.batch, s]);
  const hsz = config.hidden_size;
  const tokens = b.gather(p.get('text_model.embeddings.token_embedding.weight', [config.vocab_size, hsz]), ids, 0);
  const table = p.get('text_model.embeddings.position_embedding.weight', [config.max_position_embeddings, hsz]);
  const positions = s === config.max_position_embeddings ? table : b.slice(table, [0], [s], [0]);
  let h = b.add(tokens, b.unsqueeze(positions, [0]));
  const mask = causalMask(b, s);
  for (let i = 0; i < config.num_hidden_layers; i++) h = encoderLayer(b, p, config, i, h, mask);
  const last = layerNorm(b, p, 'text_model.final_layer_norm', h, config.layer_norm_eps);
  b.output(last, CLIP_OUTPUTS.hidden);
  b.output(pooled(b, config, ids, last), CLIP_OUTPUTS.pooled);
  return { graph: b.build(), params: p.specs };
}
