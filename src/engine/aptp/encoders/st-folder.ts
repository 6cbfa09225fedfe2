// Reads a local sentence-transformers folder (the paper's all-mpnet-base-v2, or any BERT/MPNet
// sentence model): modules.json (Transformer, Pooling, optional Normalize), the transformer's
// config.json and model.safetensors, its tokenizer (tokenizer.json, or vocab.txt), the maximum
// sequence length and the pooling mode, in both the classic (sentence-transformers 2-5) and the
// current (6+) file formats. Anything the engine cannot run is refused, naming what it is.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { EngineError } from '../../core/errors';
import { readJsonFile } from '../../models/sd/config/parse';
import type { WordPieceConfig } from './wordpiece';

export type EncoderFamily = 'bert' | 'mpnet';
export type Pooling = 'mean' | 'cls';

export interface EncoderConfig {
  readonly family: EncoderFamily;
  readonly vocabSize: number;
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly intermediate: number;
  readonly maxPositions: number;
  readonly typeVocabSize: number;
  readonly layerNormEps: number;
  readonly relativeBuckets: number;
  readonly padTokenId: number;
}

export interface SentenceFolder {
  readonly dir: string;
  readonly config: EncoderConfig;
  readonly weightsFile: string;
  readonly tokenizer: WordPieceConfig;
  readonly maxLength: number;
  readonly lowercaseInput: boolean;
  readonly pooling: Pooling;
  readonly normalize: boolean;
}

type Json = Record<string, unknown>;

function refuse(dir: string, why: string, details: Record<string, unknown> = {}): never {
  throw new EngineError('unsupported-model', `${dir} cannot be used as a prompt encoder: ${why}.`, { dir, ...details });
}

const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

/** Reads and checks a sentence-transformers folder. */
export function readSentenceFolder(dir: string): SentenceFolder {
  if (!existsSync(join(dir, 'modules.json'))) {
    const hint = existsSync(join(dir, 'model_index.json')) ? 'it is a diffusers pipeline folder' : existsSync(join(dir, 'config.json')) ? 'it has no modules.json, so it is a plain transformers model, not a sentence-transformers model' : 'it has no modules.json';
    refuse(dir, `${hint}; choose a sentence-transformers folder (e.g. all-mpnet-base-v2) or the model's own text encoder`);
  }
  const modules = readJsonFile(join(dir, 'modules.json'), 'sentence-transformers model');
  if (!Array.isArray(modules)) refuse(dir, 'modules.json is not a list of modules');
  const kinds = modules.map((m) => ({ type: String(obj(m)['type'] ?? ''), path: String(obj(m)['path'] ?? '') }));
  const kindOf = (t: string): string => t.split('.').pop() ?? t;
  const unknown = kinds.filter((k) => !['Transformer', 'Pooling', 'Normalize'].includes(kindOf(k.type)));
  if (unknown.length) refuse(dir, `its modules include ${unknown.map((k) => kindOf(k.type)).join(', ')}; the engine runs Transformer + Pooling (+ Normalize) models`, { modules: kinds });
  const transformer = kinds.find((k) => kindOf(k.type) === 'Transformer');
  const pooling = kinds.find((k) => kindOf(k.type) === 'Pooling');
  if (!transformer || !pooling || kindOf(kinds[0]?.type ?? '') !== 'Transformer') refuse(dir, 'it needs a Transformer module followed by a Pooling module', { modules: kinds });
  const tdir = join(dir, transformer.path);
  const config = encoderConfig(tdir, obj(readJsonFile(join(tdir, 'config.json'), 'sentence encoder')));
  const weightsFile = join(tdir, 'model.safetensors');
  if (!existsSync(weightsFile)) refuse(dir, existsSync(join(tdir, 'pytorch_model.bin')) ? 'its weights are only in pytorch_model.bin; save it again with safetensors (model.save(dir, safe_serialization=True))' : 'it has no model.safetensors');
  const st = existsSync(join(tdir, 'sentence_bert_config.json')) ? obj(readJsonFile(join(tdir, 'sentence_bert_config.json'), 'sentence encoder')) : {};
  const tokConfig = existsSync(join(tdir, 'tokenizer_config.json')) ? obj(readJsonFile(join(tdir, 'tokenizer_config.json'), 'sentence encoder')) : {};
  const positionLimit = config.family === 'mpnet' ? config.maxPositions - config.padTokenId - 1 : config.maxPositions;
  const maxLength = Math.min(num(st['max_seq_length'], num(tokConfig['model_max_length'], positionLimit)), positionLimit);
  return {
    dir, config, weightsFile, tokenizer: tokenizerConfig(tdir, config.family, tokConfig), maxLength,
    lowercaseInput: st['do_lower_case'] === true, pooling: poolingMode(dir, join(dir, pooling.path)), normalize: kinds.some((k) => kindOf(k.type) === 'Normalize'),
  };
}

function encoderConfig(dir: string, c: Json): EncoderConfig {
  const family = c['model_type'];
  if (family !== 'bert' && family !== 'mpnet') refuse(dir, `its transformer is a '${String(family)}' model; supported: BERT and MPNet families (e.g. all-MiniLM, all-mpnet-base-v2)`, { model_type: family });
  const act = c['hidden_act'] ?? 'gelu';
  if (act !== 'gelu') refuse(dir, `its activation is '${String(act)}'; supported: gelu`, { hidden_act: act });
  if (c['position_embedding_type'] !== undefined && c['position_embedding_type'] !== 'absolute') refuse(dir, `its position embeddings are '${String(c['position_embedding_type'])}'; supported: absolute`);
  return {
    family, vocabSize: num(c['vocab_size'], 0), hidden: num(c['hidden_size'], 0), layers: num(c['num_hidden_layers'], 0), heads: num(c['num_attention_heads'], 0),
    intermediate: num(c['intermediate_size'], 0), maxPositions: num(c['max_position_embeddings'], 512), typeVocabSize: num(c['type_vocab_size'], 2),
    layerNormEps: num(c['layer_norm_eps'], 1e-12), relativeBuckets: num(c['relative_attention_num_buckets'], 32), padTokenId: num(c['pad_token_id'], family === 'mpnet' ? 1 : 0),
  };
}

function poolingMode(dir: string, pdir: string): Pooling {
  const c = obj(readJsonFile(join(pdir, 'config.json'), 'sentence-transformers pooling'));
  const modern = c['pooling_mode'];
  const modes = typeof modern === 'string' ? [modern] : Object.entries(c).filter(([k, v]) => k.startsWith('pooling_mode_') && v === true).map(([k]) => k.replace('pooling_mode_', '').replace('_tokens', '').replace('_token', ''));
  if (modes.length === 1 && (modes[0] === 'mean' || modes[0] === 'cls')) return modes[0];
  return refuse(dir, `its pooling is ${modes.join(' + ') || 'none'}; supported: mean or cls`, { pooling: modes });
}

function tokenizerConfig(dir: string, family: EncoderFamily, tokConfig: Json): WordPieceConfig {
  const file = join(dir, 'tokenizer.json');
  if (existsSync(file)) return fromTokenizerJson(dir, obj(readJsonFile(file, 'sentence encoder tokenizer')));
  const vocabFile = join(dir, 'vocab.txt');
  if (!existsSync(vocabFile)) refuse(dir, 'it has neither tokenizer.json nor vocab.txt');
  const vocab = new Map(readFileSync(vocabFile, 'utf8').split('\n').map((l) => l.replace(/\r$/, '')).filter((l, i, all) => l !== '' || i < all.length - 1).map((t, i) => [t, i] as const));
  const id = (t: string): number => vocab.get(t) ?? refuse(dir, `its vocabulary lacks the special token '${t}'`);
  const [cls, sep, pad] = family === 'mpnet' ? ['<s>', '</s>', '<pad>'] : ['[CLS]', '[SEP]', '[PAD]'];
  const lower = tokConfig['do_lower_case'] !== false;
  return {
    vocab, unkToken: String(tokConfig['unk_token'] ?? '[UNK]'), continuingPrefix: '##', maxInputCharsPerWord: 100, lowercase: lower, stripAccents: tokConfig['strip_accents'] === null || tokConfig['strip_accents'] === undefined ? lower : tokConfig['strip_accents'] === true,
    cleanText: true, chineseChars: tokConfig['tokenize_chinese_chars'] !== false, prefix: [id(String(tokConfig['cls_token'] ?? cls))], suffix: [id(String(tokConfig['sep_token'] ?? sep))], padId: id(String(tokConfig['pad_token'] ?? pad)),
  };
}

function fromTokenizerJson(dir: string, t: Json): WordPieceConfig {
  const model = obj(t['model']);
  if (model['type'] !== 'WordPiece') refuse(dir, `its tokenizer is ${String(model['type'])}; supported: WordPiece (BERT/MPNet)`);
  const vocab = new Map(Object.entries(obj(model['vocab'])).map(([k, v]) => [k, Number(v)] as const));
  for (const a of Array.isArray(t['added_tokens']) ? t['added_tokens'] : []) vocab.set(String(obj(a)['content']), Number(obj(a)['id']));
  const norm = obj(t['normalizer']);
  if (norm['type'] !== 'BertNormalizer') refuse(dir, `its tokenizer normalizer is ${String(norm['type'])}; supported: BertNormalizer`);
  const lower = norm['lowercase'] !== false;
  const special = specialTokens(dir, obj(t['post_processor']), vocab);
  const padding = obj(t['padding']);
  return {
    vocab, unkToken: String(model['unk_token'] ?? '[UNK]'), continuingPrefix: String(model['continuing_subword_prefix'] ?? '##'), maxInputCharsPerWord: num(model['max_input_chars_per_word'], 100),
    lowercase: lower, stripAccents: norm['strip_accents'] === null || norm['strip_accents'] === undefined ? lower : norm['strip_accents'] === true, cleanText: norm['clean_text'] !== false,
    chineseChars: norm['handle_chinese_chars'] !== false, ...special, padId: typeof padding['pad_id'] === 'number' ? padding['pad_id'] : vocab.get('<pad>') ?? vocab.get('[PAD]') ?? 0,
  };
}

function specialTokens(dir: string, p: Json, vocab: ReadonlyMap<string, number>): { prefix: number[]; suffix: number[] } {
  if (p['type'] === 'BertProcessing' || p['type'] === 'RobertaProcessing') {
    const idOf = (pair: unknown): number => (Array.isArray(pair) ? Number(pair[1]) : refuse(dir, 'its post-processor names no cls/sep tokens'));
    return { prefix: [idOf(p['cls'])], suffix: [idOf(p['sep'])] };
  }
  if (p['type'] === 'TemplateProcessing' && Array.isArray(p['single'])) {
    const specials = obj(p['special_tokens']);
    const ids = (items: unknown[]): number[] => items.flatMap((item) => {
      const tokenId = String(obj(obj(item)['SpecialToken'])['id'] ?? '');
      const listed = obj(specials[tokenId])['ids'];
      return Array.isArray(listed) ? listed.map(Number) : [vocab.get(tokenId) ?? refuse(dir, `its template token '${tokenId}' is not in the vocabulary`)];
    });
    const seq = p['single'].findIndex((item) => obj(item)['Sequence'] !== undefined);
    return { prefix: ids(p['single'].slice(0, seq)), suffix: ids(p['single'].slice(seq + 1)) };
  }
  return refuse(dir, `its tokenizer post-processor is ${String(p['type'] ?? 'missing')}; supported: BertProcessing, RobertaProcessing, TemplateProcessing`);
}
