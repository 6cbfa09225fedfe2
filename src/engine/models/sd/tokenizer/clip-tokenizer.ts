// The CLIP tokenizer as transformers' CLIPTokenizer runs it on vocab.json + merges.txt: special tokens
// (bos, eos, unk and pad, so SD 2's pad '!' too) cut out of the raw text whole, or, for those declared
// `normalized: true`, out of the normalized text (so `<|STARTOFTEXT|>` is the special token, as
// transformers 5 matches them); NFC, whitespace runs
// to one space, lowercase; CLIP's regex split (contractions,
// letter runs, single digits, other non-space runs); byte-level characters; BPE with `</w>`; then
// <|startoftext|> ... <|endoftext|>, truncated and padded to the model length (77) with the pad
// token the tokenizer config names (SD 1.x: <|endoftext|>, SD 2.x: '!').
import { EngineError } from '../../../core/errors';
import { Bpe } from './bpe';
import { fromByteChars, toByteChars } from './byte-level';
import { slowClean } from './slow-clean';

export interface ClipTokenizerSpec {
  /** token -> id from vocab.json. */
  readonly vocab: ReadonlyMap<string, number>;
  /** Merge pairs in rank order (merges.txt without its `#version` line). */
  readonly merges: readonly (readonly [string, string])[];
  readonly bosToken: string;
  readonly eosToken: string;
  readonly padToken: string;
  readonly unkToken: string;
  /** Sequence length prompts are padded / truncated to (tokenizer_config model_max_length, 77). */
  readonly maxLength: number;
  /** For messages: where the files came from. */
  readonly origin?: string;
  /**
   * 'tokenizers' (default): transformers >= 5 (the pinned reference) and every CLIPTokenizerFast.
   * 'slow': transformers 4's slow CLIPTokenizer without ftfy (control characters dropped, CJK
   * ideographs split apart, special tokens in any case kept whole, at most 48894 merges read).
   */
  readonly flavor?: TokenizerFlavor;
  /** Special tokens declared `normalized: true`: matched after normalization (lowercasing). */
  readonly normalizedSpecials?: ReadonlySet<string>;
}

export type TokenizerFlavor = 'tokenizers' | 'slow';

/** transformers 4's slow CLIPTokenizer reads merges.txt lines 1..48894 only. */
const SLOW_MERGES = 49152 - 256 - 2;

export interface Encoded {
  /** Token ids including bos/eos (and padding when asked). */
  readonly ids: readonly number[];
  /** 1 for real tokens, 0 for padding. */
  readonly attentionMask: readonly number[];
  /** Text tokens cut by truncation (the pipelines warn about them); empty when all fit. */
  readonly truncated: readonly number[];
}

export interface EncodeOptions {
  /** 'max_length' pads to maxLength (what SD pipelines ask for); 'none' does not pad. */
  readonly padding?: 'max_length' | 'none';
  /** Truncate so that bos + tokens + eos fit maxLength (default true). */
  readonly truncation?: boolean;
}

const PIECE = /'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\p{White_Space}\p{L}\p{N}]+/gu;
const SPACES = /\p{White_Space}+/gu;
/** The slow tokenizer's split also keeps the two special tokens whole (after its lowercasing). */
const SLOW_PIECE = new RegExp(`<\\|startoftext\\|>|<\\|endoftext\\|>|${PIECE.source}`, 'gu');

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A capturing regex matching any of `tokens`, longest first. */
function alternation(tokens: readonly string[]): RegExp {
  return new RegExp(`(${[...tokens].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|')})`, 'u');
}

export class ClipTokenizer {
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  readonly maxLength: number;
  private readonly unkId: number | null;
  private readonly bpe: Bpe;
  private readonly specials: ReadonlyMap<string, number>;
  private readonly specialSplit: RegExp;
  /** Normalized specials (tokenizers flavour): normalized text -> id, and the regex that cuts them out. */
  private readonly normalizedSpecials: ReadonlyMap<string, number>;
  private readonly normalizedSplit: RegExp | null;
  private readonly tokens: string[] = [];
  private readonly clean: (text: string) => string;
  private readonly piece: RegExp;

  constructor(spec: ClipTokenizerSpec) {
    const idOf = (token: string, role: string): number => {
      const id = spec.vocab.get(token);
      if (id === undefined) throw new EngineError('corrupt-file', `${spec.origin ?? 'vocab.json'}: the ${role} token '${token}' is not in the vocabulary; the tokenizer files do not belong together, re-download them.`, { token, role });
      return id;
    };
    this.bosId = idOf(spec.bosToken, 'bos');
    this.eosId = idOf(spec.eosToken, 'eos');
    this.padId = idOf(spec.padToken, 'pad');
    this.unkId = spec.vocab.get(spec.unkToken) ?? null;
    this.maxLength = spec.maxLength;
    if (this.maxLength < 2) throw new EngineError('invalid-argument', `model_max_length ${this.maxLength} leaves no room for the bos and eos tokens; fix tokenizer_config.json.`, {});
    const slow = spec.flavor === 'slow';
    this.bpe = new Bpe(spec.vocab, slow ? spec.merges.slice(0, SLOW_MERGES) : spec.merges, this.unkId, spec.origin);
    this.clean = slow ? slowClean : ClipTokenizer.normalize;
    this.piece = slow ? SLOW_PIECE : PIECE;
    const specials = new Map<string, number>();
    for (const t of [spec.bosToken, spec.eosToken, spec.unkToken, spec.padToken]) {
      const id = spec.vocab.get(t);
      if (id !== undefined) specials.set(t, id);
    }
    for (const [token, id] of spec.vocab) this.tokens[id] = token;
    const declared = slow ? new Set<string>() : (spec.normalizedSpecials ?? new Set<string>());
    this.specials = new Map([...specials].filter(([t]) => !declared.has(t)));
    this.normalizedSpecials = new Map([...specials].filter(([t]) => declared.has(t)).map(([t, id]) => [ClipTokenizer.normalize(t), id]));
    this.specialSplit = alternation([...this.specials.keys()]);
    this.normalizedSplit = this.normalizedSpecials.size > 0 ? alternation([...this.normalizedSpecials.keys()]) : null;
    this.allSpecialIds = new Set(specials.values());
  }

  private readonly allSpecialIds: ReadonlySet<number>;

  /** NFC, whitespace runs to one space, lowercase char by char (no final-sigma rule, as tokenizers). */
  static normalize(text: string): string {
    let out = '';
    for (const ch of text.normalize('NFC').replace(SPACES, ' ')) out += ch.toLowerCase();
    return out;
  }

  /** Token ids of the text without bos / eos. */
  tokenize(text: string): number[] {
    const out: number[] = [];
    const parts = this.specials.size > 0 ? text.split(this.specialSplit) : [text];
    for (const part of parts) {
      const special = this.specials.get(part);
      if (special !== undefined) {
        out.push(special);
        continue;
      }
      const clean = this.clean(part);
      for (const sub of this.normalizedSplit ? clean.split(this.normalizedSplit) : [clean]) {
        const normalized = this.normalizedSpecials.get(sub);
        if (normalized !== undefined) out.push(normalized);
        else this.pieces(sub, out);
      }
    }
    return out;
  }

  private pieces(text: string, out: number[]): void {
    for (const m of text.matchAll(this.piece)) {
      const literal = m[0].startsWith('<|') ? this.specials.get(m[0]) : undefined;
      if (literal !== undefined) out.push(literal);
      else out.push(...this.bpe.encodeWord(toByteChars(m[0])));
    }
  }

  /** bos + tokens + eos, truncated and padded as the SD pipelines ask by default. */
  encode(text: string, options: EncodeOptions = {}): Encoded {
    const all = this.tokenize(text);
    const keep = (options.truncation ?? true) ? this.maxLength - 2 : all.length;
    const ids = [this.bosId, ...all.slice(0, keep), this.eosId];
    const mask = ids.map(() => 1);
    if ((options.padding ?? 'max_length') === 'max_length') {
      while (ids.length < this.maxLength) {
        ids.push(this.padId);
        mask.push(0);
      }
    }
    return { ids, attentionMask: mask, truncated: all.slice(keep) };
  }

  /** Ids back to text as CLIPTokenizer.decode does (`</w>` to spaces), special tokens skipped. */
  decode(ids: readonly number[]): string {
    const text = ids.filter((id) => !this.allSpecialIds.has(id)).map((id) => this.tokens[id] ?? '').join('');
    return fromByteChars(text).replaceAll('</w>', ' ').trim();
  }

  /** A batch of prompts as one [batch, maxLength] int64 id tensor (always padded and truncated). */
  encodeBatch(texts: readonly string[]): BigInt64Array {
    const out = new BigInt64Array(texts.length * this.maxLength);
    texts.forEach((t, i) => this.encode(t).ids.forEach((id, j) => (out[i * this.maxLength + j] = BigInt(id))));
    return out;
  }
}

/**
 * A lower bound of a text's token count (without bos / eos) that needs no vocabulary: the number
 * of pre-tokenizer pieces of its normalized text. Every piece becomes at least one BPE token, so a
 * text with more pieces than the window holds is certainly cut (the importer's check, made before
 * any model is chosen; Prepare then counts exactly with the model's tokenizer).
 */
export function clipTokenLowerBound(text: string): number {
  return [...ClipTokenizer.normalize(text).matchAll(PIECE)].length;
}
