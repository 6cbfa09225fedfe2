// The sentence-transformers prompt encoder's host-side parts: WordPiece tokenization (BERT's
// classic examples: greedy longest match, punctuation, accents, CJK, unknown words, truncation),
// MPNet's relative-position buckets, and the folder reader's refusals, each naming what the folder
// is. Embeddings against sentence-transformers are in tests/oracle/aptp/test_encoders.py.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSentenceFolder, relativeBucket, WordPieceTokenizer, type WordPieceConfig } from '../../src/engine/aptp/encoders';

const WORDS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'un', '##aff', '##able', 'a', 'red', 'fox', '!', ',', 'cafe', '中', 'runn', '##ing'];
const config: WordPieceConfig = {
  vocab: new Map(WORDS.map((w, i) => [w, i])), unkToken: '[UNK]', continuingPrefix: '##', maxInputCharsPerWord: 100,
  lowercase: true, stripAccents: true, cleanText: true, chineseChars: true, prefix: [2], suffix: [3], padId: 0,
};
const tokens = (text: string, max = 32): string[] => new WordPieceTokenizer(config, max).encode(text).ids.map((i) => WORDS[i] ?? '?');

describe('WordPiece', () => {
  it('splits words greedily into the longest pieces, with the special tokens around', () => {
    expect(tokens('Unaffable')).toEqual(['[CLS]', 'un', '##aff', '##able', '[SEP]']);
    expect(tokens('running')).toEqual(['[CLS]', 'runn', '##ing', '[SEP]']);
  });

  it('splits punctuation, lowercases, strips accents, spaces out CJK and maps unknown words to [UNK]', () => {
    expect(tokens('A red, FOX!')).toEqual(['[CLS]', 'a', 'red', ',', 'fox', '!', '[SEP]']);
    expect(tokens('Café中xyz')).toEqual(['[CLS]', 'cafe', '中', '[UNK]', '[SEP]']);
    expect(tokens('\u0000red\tfox\u200b')).toEqual(['[CLS]', 'red', 'fox', '[SEP]']);
  });

  it('truncates to the maximum length and counts what it cut', () => {
    const e = new WordPieceTokenizer(config, 5).encode('a red fox a red');
    expect(e.ids.map((i) => WORDS[i])).toEqual(['[CLS]', 'a', 'red', 'fox', '[SEP]']);
    expect(e.truncated).toBe(2);
    expect(() => new WordPieceTokenizer(config, 2)).toThrow(/no room/);
  });
});

describe('MPNet relative buckets', () => {
  it('are exact below 8, logarithmic up to 128, and split by sign', () => {
    expect([0, -1, 1, -7, -8, -16, -32, -64, -127, -500].map((r) => relativeBucket(r))).toEqual([0, 1, 17, 7, 8, 10, 12, 14, 15, 15]);
    expect(relativeBucket(16)).toBe(26);
  });
});

describe('sentence-transformers folder', () => {
  const root = mkdtempSync(join(tmpdir(), 'aptp-st-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const folder = (name: string, files: Record<string, unknown>): string => {
    const dir = join(root, name);
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
    }
    return dir;
  };
  const modules = [{ idx: 0, path: '', type: 'sentence_transformers.models.Transformer' }, { idx: 1, path: '1_Pooling', type: 'sentence_transformers.models.Pooling' }];
  const bert = { model_type: 'bert', vocab_size: 16, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 32 };

  it('refuses a diffusers folder and a plain transformers model', () => {
    expect(() => readSentenceFolder(folder('pipe', { 'model_index.json': {} }))).toThrow(/diffusers pipeline folder/);
    expect(() => readSentenceFolder(folder('plain', { 'config.json': bert }))).toThrow(/plain transformers model/);
  });

  it('refuses other architectures, modules, pooling modes and .bin-only weights, naming them', () => {
    expect(() => readSentenceFolder(folder('roberta', { 'modules.json': modules, 'config.json': { ...bert, model_type: 'roberta' } }))).toThrow(/'roberta' model/);
    expect(() => readSentenceFolder(folder('dense', { 'modules.json': [...modules, { idx: 2, path: '2_Dense', type: 'sentence_transformers.models.Dense' }], 'config.json': bert }))).toThrow(/Dense/);
    expect(() => readSentenceFolder(folder('bin', { 'modules.json': modules, 'config.json': bert, 'pytorch_model.bin': 'x' }))).toThrow(/pytorch_model.bin.*safetensors/);
    expect(() => readSentenceFolder(folder('max', {
      'modules.json': modules, 'config.json': bert, 'model.safetensors': 'x', '1_Pooling/config.json': { pooling_mode_max_tokens: true }, 'vocab.txt': WORDS.join('\n'),
    }))).toThrow(/pooling is max/);
  });

  it('reads a classic folder: max_seq_length, mean pooling, vocab.txt with BERT specials', () => {
    const f = readSentenceFolder(folder('ok', {
      'modules.json': [...modules, { idx: 2, path: '2_Normalize', type: 'sentence_transformers.models.Normalize' }], 'config.json': bert, 'model.safetensors': 'x',
      'sentence_bert_config.json': { max_seq_length: 20, do_lower_case: false }, '1_Pooling/config.json': { pooling_mode_mean_tokens: true, pooling_mode_cls_token: false }, 'vocab.txt': WORDS.join('\n'),
    }));
    expect([f.config.family, f.maxLength, f.pooling, f.normalize, f.tokenizer.prefix, f.tokenizer.suffix, f.tokenizer.padId]).toEqual(['bert', 20, 'mean', true, [2], [3], 0]);
  });
});
