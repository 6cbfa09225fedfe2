// CLIPTextModel config (text_encoder/config.json) as transformers reads it, with its defaults. SD 1.x
// ships OpenAI CLIP ViT-L/14 (quick_gelu), SD 2.x OpenCLIP ViT-H/14 (gelu); both are CLIPTextModel.
// A CLIPTextModelWithProjection or a non-CLIP encoder (T5, SDXL's second encoder) is refused by name.
import { z } from 'zod';
import { EngineError } from '../../../core/errors';
import { type ConfigOrigin, type DeepReadonly, parseWith } from './parse';

export const CLIP_ACTIVATIONS = ['quick_gelu', 'gelu'] as const;

export const clipTextConfigSchema = z.object({
  architectures: z.array(z.string()).nullable().default(null),
  model_type: z.string().default('clip_text_model'),
  vocab_size: z.number().int().positive().default(49408),
  hidden_size: z.number().int().positive().default(512),
  intermediate_size: z.number().int().positive().default(2048),
  projection_dim: z.number().int().positive().nullable().default(512),
  num_hidden_layers: z.number().int().positive().default(12),
  num_attention_heads: z.number().int().positive().default(8),
  max_position_embeddings: z.number().int().positive().default(77),
  hidden_act: z.string().default('quick_gelu'),
  layer_norm_eps: z.number().positive().default(1e-5),
  pad_token_id: z.number().int().nullable().default(1),
  bos_token_id: z.number().int().nullable().default(49406),
  eos_token_id: z.union([z.number().int(), z.array(z.number().int())]).nullable().default(49407),
  torch_dtype: z.string().nullable().optional(),
  dtype: z.string().nullable().optional(),
});

export type ClipTextConfig = DeepReadonly<z.output<typeof clipTextConfigSchema>>;

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
  if (config.hidden_size % config.num_attention_heads !== 0) {
    throw new EngineError('corrupt-file', `${origin.file}: hidden_size ${config.hidden_size} is not divisible by num_attention_heads ${config.num_attention_heads}; the config is inconsistent, re-download the model.`, { file: origin.file, component: origin.component });
  }
  return config;
}
