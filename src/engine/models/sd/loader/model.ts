// What the loader hands the rest of the engine: an SD 1.x/2.x model's validated configs, tokenizer
// files and lazily-served weights under diffusers keys, whichever form it came in (a diffusers
// folder or a single-file checkpoint).
import type { ClipTextConfig, ModelIndex, SchedulerConfig, UNetConfig, VaeConfig } from '../config';
import type { TokenizerPaths } from '../tokenizer/files';
import type { WeightSet } from './weight-set';

/** sd1: CLIP ViT-L text states (768); sd2: OpenCLIP ViT-H (1024); custom: other sizes (tiny test models). */
export type SdFamily = 'sd1' | 'sd2' | 'custom';

/** Paths of the tokenizer folder's files (vocab.json, merges.txt, optional configs). */
export type TokenizerFiles = TokenizerPaths;

export interface SdModel {
  readonly source: 'diffusers-folder' | 'single-file';
  /** The folder or file the user gave. */
  readonly path: string;
  readonly family: SdFamily;
  /** The weight variant read ('fp16'), or null for the plain files (and single files). */
  readonly variant: string | null;
  readonly modelIndex: ModelIndex | null;
  readonly unet: UNetConfig;
  readonly textEncoder: ClipTextConfig;
  readonly vae: VaeConfig;
  readonly scheduler: SchedulerConfig;
  /** Null for a single-file checkpoint opened without a tokenizer folder. */
  readonly tokenizer: TokenizerFiles | null;
  readonly weights: {
    readonly unet: WeightSet;
    readonly textEncoder: WeightSet;
    readonly vae: WeightSet;
  };
}

export function familyOf(unet: UNetConfig, text: ClipTextConfig): SdFamily {
  const cross = Array.isArray(unet.cross_attention_dim) ? unet.cross_attention_dim[0] : unet.cross_attention_dim;
  if (cross === 768 && text.hidden_size === 768) return 'sd1';
  if (cross === 1024 && text.hidden_size === 1024) return 'sd2';
  return 'custom';
}
