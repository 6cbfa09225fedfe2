// Public surface of APTP's prompt encoders (APTP.md "Router" 1). A run records which one it used:
// the model's own text encoder pooled (the default; the preparation cache already holds those
// embeddings under the text encoder's id), or a local sentence-transformers folder (BERT / MPNet,
// mean pooling as all-mpnet-base-v2) that the engine runs itself.
export { openSentenceEncoder, type SentenceEncoder } from './sentence-encoder';
export { readSentenceFolder, type EncoderConfig, type EncoderFamily, type Pooling, type SentenceFolder } from './st-folder';
export { buildSentenceEncoder, relativeBucket, SENTENCE_INPUTS, SENTENCE_OUTPUT, type SentenceGraphOptions } from './encoder-graph';
export { WordPieceTokenizer, type Encoded, type WordPieceConfig } from './wordpiece';

/** Which prompt encoder a run uses; recorded with the run. */
export type PromptEncoderChoice =
  | { readonly kind: 'text-encoder' }
  | { readonly kind: 'sentence-transformers'; readonly dir: string };

export const DEFAULT_PROMPT_ENCODER: PromptEncoderChoice = { kind: 'text-encoder' };
