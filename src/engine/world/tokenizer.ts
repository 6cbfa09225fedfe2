// The world's CLIP tokenizer files: the 256 byte-level characters and their end-of-word forms (as
// CLIP's vocabulary starts), then for each caption word a chain of BPE merges that builds it left to
// right (every merge result is in the vocabulary, as the tokenizers library requires), then the
// start and end tokens. Any text still tokenizes (into characters); the world's words become one
// or a few tokens.
import { END_OF_WORD, byteAlphabet } from '../models/sd/tokenizer';

export const BOS = '<|startoftext|>';
export const EOS = '<|endoftext|>';

/** The merges, in rank order, that build each of `words`. */
export function tokenizerMerges(words: readonly string[]): [string, string][] {
  const merges: [string, string][] = [];
  const seen = new Set<string>();
  for (const word of [...new Set(words.map((w) => w.toLowerCase()))].sort()) {
    const chars = [...word];
    if (chars.length < 2) continue;
    let left = chars[0] as string;
    chars.slice(1).forEach((c, i) => {
      const right = i === chars.length - 2 ? `${c}${END_OF_WORD}` : c;
      const key = `${left} ${right}`;
      if (!seen.has(key)) {
        seen.add(key);
        merges.push([left, right]);
      }
      left = `${left}${right}`;
    });
  }
  return merges;
}

/** vocab.json: token -> id. */
export function tokenizerVocab(words: readonly string[]): Map<string, number> {
  const vocab = new Map<string, number>();
  const add = (t: string): void => {
    if (!vocab.has(t)) vocab.set(t, vocab.size);
  };
  const alphabet = byteAlphabet();
  alphabet.forEach(add);
  alphabet.forEach((c) => add(`${c}${END_OF_WORD}`));
  for (const [l, r] of tokenizerMerges(words)) add(`${l}${r}`);
  add(BOS);
  add(EOS);
  return vocab;
}

/** The files of a diffusers tokenizer/ folder, by name. */
export function tokenizerFiles(words: readonly string[]): Record<string, string> {
  const vocab = Object.fromEntries(tokenizerVocab(words));
  const merges = tokenizerMerges(words).map(([l, r]) => `${l} ${r}`);
  const special = { bos_token: BOS, eos_token: EOS, pad_token: EOS, unk_token: EOS };
  return {
    'vocab.json': `${JSON.stringify(vocab)}\n`,
    'merges.txt': `#version: 0.2\n${merges.join('\n')}\n`,
    'tokenizer_config.json': `${JSON.stringify({ tokenizer_class: 'CLIPTokenizer', model_max_length: 77, do_lower_case: true, add_prefix_space: false, ...special }, null, 2)}\n`,
    'special_tokens_map.json': `${JSON.stringify(special, null, 2)}\n`,
  };
}
