// WordPiece tokenization as BERT and MPNet tokenizers do it (Hugging Face tokenizers' BertNormalizer,
// BertPreTokenizer, WordPiece and Bert/Roberta/Template post-processing): clean control characters,
// space out CJK ideographs, lowercase and strip accents when asked, split on whitespace and
// punctuation, then greedy longest-match word pieces with a '##' continuation prefix; [CLS] x [SEP]
// (BERT) or <s> x </s> (MPNet) around the sequence, truncated to the model's maximum length.
import { EngineError } from '../../core/errors';

export interface WordPieceConfig {
  readonly vocab: ReadonlyMap<string, number>;
  readonly unkToken: string;
  readonly continuingPrefix: string;
  readonly maxInputCharsPerWord: number;
  readonly lowercase: boolean;
  readonly stripAccents: boolean;
  readonly cleanText: boolean;
  readonly chineseChars: boolean;
  /** Token ids before and after the sequence. */
  readonly prefix: readonly number[];
  readonly suffix: readonly number[];
  readonly padId: number;
}

export interface Encoded {
  readonly ids: number[];
  /** Word pieces dropped by truncation. */
  readonly truncated: number;
}

const CJK: readonly (readonly [number, number])[] = [
  [0x4e00, 0x9fff], [0x3400, 0x4dbf], [0x20000, 0x2a6df], [0x2a700, 0x2b73f], [0x2b740, 0x2b81f], [0x2b820, 0x2ceaf], [0xf900, 0xfaff], [0x2f800, 0x2fa1f],
];

function isPunctuation(ch: string): boolean {
  const c = ch.codePointAt(0) ?? 0;
  return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126) || /\p{P}/u.test(ch);
}

function normalize(text: string, c: WordPieceConfig): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (c.cleanText) {
      if (code === 0 || code === 0xfffd || (/\p{C}/u.test(ch) && ch !== '\t' && ch !== '\n' && ch !== '\r')) continue;
      if (/\s|\p{Zs}/u.test(ch)) {
        out += ' ';
        continue;
      }
    }
    out += c.chineseChars && CJK.some(([lo, hi]) => code >= lo && code <= hi) ? ` ${ch} ` : ch;
  }
  if (c.stripAccents) out = out.normalize('NFD').replace(/\p{Mn}/gu, '');
  return c.lowercase ? out.toLowerCase() : out;
}

function preTokenize(text: string): string[] {
  const words: string[] = [];
  for (const chunk of text.split(/\s+/u)) {
    let word = '';
    for (const ch of chunk) {
      if (isPunctuation(ch)) {
        if (word) words.push(word);
        words.push(ch);
        word = '';
      } else word += ch;
    }
    if (word) words.push(word);
  }
  return words;
}

function wordPieces(word: string, c: WordPieceConfig): number[] {
  const unk = c.vocab.get(c.unkToken);
  if (unk === undefined) throw new EngineError('unsupported-model', `The tokenizer's unknown token '${c.unkToken}' is not in its vocabulary.`, { token: c.unkToken });
  const chars = Array.from(word);
  if (chars.length > c.maxInputCharsPerWord) return [unk];
  const ids: number[] = [];
  let start = 0;
  while (start < chars.length) {
    let end = chars.length;
    let found: number | undefined;
    while (start < end) {
      const piece = (start > 0 ? c.continuingPrefix : '') + chars.slice(start, end).join('');
      found = c.vocab.get(piece);
      if (found !== undefined) break;
      end--;
    }
    if (found === undefined) return [unk];
    ids.push(found);
    start = end;
  }
  return ids;
}

export class WordPieceTokenizer {
  constructor(readonly config: WordPieceConfig, readonly maxLength: number) {
    if (maxLength < config.prefix.length + config.suffix.length + 1) throw new EngineError('unsupported-model', `A maximum sequence length of ${maxLength} leaves no room for text.`, { maxLength });
  }

  /** Token ids of one text with the special tokens, truncated to maxLength. */
  encode(text: string): Encoded {
    const c = this.config;
    const pieces = preTokenize(normalize(text, c)).flatMap((w) => wordPieces(w, c));
    const room = this.maxLength - c.prefix.length - c.suffix.length;
    return { ids: [...c.prefix, ...pieces.slice(0, room), ...c.suffix], truncated: Math.max(0, pieces.length - room) };
  }
}
