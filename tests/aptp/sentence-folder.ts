// Test helper: a sentence-transformers folder (classic layout: modules.json, a BERT config.json,
// model.safetensors with seeded random weights, vocab.txt, mean pooling) written by the test itself.
// The weight names and shapes are the ones the engine's encoder graph asks for, so the folder is
// exactly what `sentence-transformers` would save for this config (the oracle tier matches the
// graph to sentence-transformers on such folders).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSentenceEncoder, readSentenceFolder } from '../../src/engine/aptp/encoders';
import { randomWeights } from '../../src/engine/models/sd/unet';
import { writeSafetensors } from '../../src/engine/weights';

const WORDS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...'abcdefghijklmnopqrstuvwxyz'.split(''), ...'abcdefghijklmnopqrstuvwxyz'.split('').map((c) => `##${c}`)];
export const ST_HIDDEN = 12;

export async function writeSentenceFolder(dir: string, seed = 1): Promise<string> {
  mkdirSync(join(dir, '1_Pooling'), { recursive: true });
  const bert = { model_type: 'bert', vocab_size: WORDS.length, hidden_size: ST_HIDDEN, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 24, max_position_embeddings: 64, type_vocab_size: 2, layer_norm_eps: 1e-12, pad_token_id: 0 };
  writeFileSync(join(dir, 'modules.json'), JSON.stringify([{ idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' }, { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' }]));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(bert));
  writeFileSync(join(dir, 'sentence_bert_config.json'), JSON.stringify({ max_seq_length: 32, do_lower_case: true }));
  writeFileSync(join(dir, '1_Pooling', 'config.json'), JSON.stringify({ word_embedding_dimension: ST_HIDDEN, pooling_mode_mean_tokens: true, pooling_mode_cls_token: false }));
  writeFileSync(join(dir, 'vocab.txt'), WORDS.join('\n'));
  writeFileSync(join(dir, 'model.safetensors'), '');
  const folder = readSentenceFolder(dir);
  const random = randomWeights(seed);
  const { params } = buildSentenceEncoder(folder.config, random, { batch: 1, length: 16, pooling: 'mean', normalize: false, prefix: '' });
  await writeSafetensors(join(dir, 'model.safetensors'), params.specs.map((spec) => {
    const w = random(spec);
    return { name: spec.name, dtype: 'F32' as const, shape: spec.shape, data: w.data as Float32Array };
  }));
  return dir;
}
