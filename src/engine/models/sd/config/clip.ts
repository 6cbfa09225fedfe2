// CLIPTextModel config (text_encoder/config.json) as transformers reads it, with its defaults. SD 1.x
// ships OpenAI CLIP ViT-L/14 (quick_gelu), SD 2.x OpenCLIP ViT-H/14 (gelu); both are CLIPTextModel.
// A CLIPTextModelWithProjection or a non-CLIP encoder (T5, SDXL's second encoder) is refused by name.
import { z } from 'zod';
import { EngineError } from '../../../core/errors';
import { type KeyRules, checkKeys } from './keys';
import { type ConfigOrigin, type DeepReadonly, LIMITS, parseWith, size } from './parse';

export const CLIP_ACTIVATIONS = ['quick_gelu', 'gelu'] as const;

export const clipTextConfigSchema = z.object({
  architectures: z.array(z.string()).nullable().default(null),
  model_type: z.string().default('clip_text_model'),
  vocab_size: size(LIMITS.vocab).default(49408),
  hidden_size: size(LIMITS.width).default(512),
  intermediate_size: size(LIMITS.width).default(2048),
  projection_dim: size(LIMITS.width).nullable().default(512),
  num_hidden_layers: size(LIMITS.hiddenLayers).default(12),
  num_attention_heads: size(LIMITS.width).default(8),
  max_position_embeddings: size(LIMITS.positions).default(77),
  hidden_act: z.string().default('quick_gelu'),
  layer_norm_eps: z.number().positive().default(1e-5),
  pad_token_id: z.number().int().nullable().default(1),
  bos_token_id: z.number().int().nullable().default(49406),
  eos_token_id: z.union([z.number().int(), z.array(z.number().int())]).nullable().default(49407),
  torch_dtype: z.string().nullable().optional(),
  dtype: z.string().nullable().optional(),
});

export type ClipTextConfig = DeepReadonly<z.output<typeof clipTextConfigSchema>>;

const TRAINING_ONLY = { inert: 'training or initialisation only; no effect on the encoder output' } as const;
const GENERIC = { inert: 'a generic transformers PretrainedConfig field (generation, heads, outputs) a CLIPTextModel forward pass does not read' } as const;
const META = { inert: 'metadata' } as const;

/** transformers' PretrainedConfig fields that older versions wrote into every config.json. */
const GENERIC_KEYS = [
  'return_dict', 'output_hidden_states', 'output_attentions', 'torchscript', 'use_bfloat16', 'tf_legacy_loss', 'chunk_size_feed_forward',
  'is_encoder_decoder', 'is_decoder', 'cross_attention_hidden_size', 'add_cross_attention', 'tie_encoder_decoder', 'tie_word_embeddings',
  'max_length', 'min_length', 'do_sample', 'early_stopping', 'num_beams', 'num_beam_groups', 'diversity_penalty', 'temperature', 'top_k',
  'top_p', 'typical_p', 'repetition_penalty', 'length_penalty', 'no_repeat_ngram_size', 'encoder_no_repeat_ngram_size', 'bad_words_ids',
  'num_return_sequences', 'output_scores', 'return_dict_in_generate', 'forced_bos_token_id', 'forced_eos_token_id', 'remove_invalid_values',
  'exponential_decay_length_penalty', 'suppress_tokens', 'begin_suppress_tokens', 'finetuning_task', 'id2label', 'label2id', 'num_labels',
  'problem_type', 'tokenizer_class', 'prefix', 'sep_token_id', 'decoder_start_token_id', 'task_specific_params', 'use_cache',
  'gradient_checkpointing',
] as const;

/** What the engine does with each CLIPTextConfig key (see keys.ts). */
export const CLIP_KEY_RULES: KeyRules = {
  ...Object.fromEntries(GENERIC_KEYS.map((k) => [k, GENERIC])),
  _name_or_path: META, _commit_hash: META, transformers_version: META, _attn_implementation: { inert: 'attention kernel choice; same math' },
  _attn_implementation_autoset: META,
  architectures: 'honoured', model_type: 'honoured', vocab_size: 'honoured', hidden_size: 'honoured', intermediate_size: 'honoured',
  num_hidden_layers: 'honoured', num_attention_heads: 'honoured', max_position_embeddings: 'honoured', hidden_act: 'honoured',
  layer_norm_eps: 'honoured', eos_token_id: 'honoured',
  projection_dim: { inert: 'used only by CLIPTextModelWithProjection, which is refused' },
  pad_token_id: { inert: 'the CLIP text encoder attends to padding as transformers does (the tokenizer chooses the pad id)' },
  bos_token_id: { inert: 'the tokenizer adds the bos token; the encoder does not read the id' },
  dropout: TRAINING_ONLY, attention_dropout: TRAINING_ONLY, initializer_range: TRAINING_ONLY, initializer_factor: TRAINING_ONLY,
  torch_dtype: { inert: 'storage dtype; the engine reads each tensor in the dtype its file declares' },
  dtype: { inert: 'storage dtype; the engine reads each tensor in the dtype its file declares' },
  pruned_heads: { only: {}, why: 'pruned attention heads change the layer shapes' },
  use_attention_mask: { only: false, why: 'SD pipelines pass an attention mask only when it is set, and SD 1.x/2.x encoders do not set it' },
};

export function unsupportedClip(c: ClipTextConfig): string | null {
  const arch = c.architectures?.[0];
  if (c.model_type !== 'clip_text_model' && c.model_type !== 'clip') return `this text encoder is a '${c.model_type}' model, not a CLIP text model (SD3 / Flux use T5)`;
  if (arch !== undefined && arch !== 'CLIPTextModel') return `this text encoder is a ${arch} (SDXL's second encoder uses CLIPTextModelWithProjection)`;
  if (!(CLIP_ACTIVATIONS as readonly string[]).includes(c.hidden_act)) return `this text encoder uses hidden_act '${c.hidden_act}' (supported: ${CLIP_ACTIVATIONS.join(', ')})`;
  return null;
}

/** Parses text_encoder/config.json and refuses encoders SD 1.x/2.x do not use. */
export function parseClipTextConfig(json: unknown, origin: ConfigOrigin): ClipTextConfig {
  const config = parseWith(clipTextConfigSchema, json, origin);
  const why = unsupportedClip(config);
  if (why !== null) throw new EngineError('unsupported-model', `${origin.file}: ${why}; supported: the CLIP text encoders of SD 1.x and SD 2.x.`, { file: origin.file, component: origin.component, reason: why });
  checkKeys(json as Record<string, unknown>, CLIP_KEY_RULES, 'CLIPTextModel', origin);
  if (config.hidden_size % config.num_attention_heads !== 0) {
    throw new EngineError('corrupt-file', `${origin.file}: hidden_size ${config.hidden_size} is not divisible by num_attention_heads ${config.num_attention_heads}; the config is inconsistent, re-download the model.`, { file: origin.file, component: origin.component });
  }
  return config;
}
