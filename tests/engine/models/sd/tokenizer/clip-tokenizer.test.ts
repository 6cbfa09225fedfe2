// CLIP tokenizer on a tiny vocabulary built in the test (the byte alphabet, its </w> forms, special
// tokens and a few merges): normalisation, the regex split, byte-level BPE with </w>, bos/eos,
// truncation to 77 and padding with the configured pad token (SD 1 '<|endoftext|>', SD 2 '!').
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClipTokenizer, byteAlphabet, loadClipTokenizer, toByteChars } from '../../../../../src/engine/models/sd/tokenizer';

const MERGES: [string, string][] = [['t', 'h'], ['th', 'e</w>'], ['c', 'a'], ['ca', 't</w>'], ['o', 'n</w>'], ['d', 'on</w>'], ['a', 'n'], ['an', 'd</w>'], ["'", 't</w>']];

function tinyVocab(): Map<string, number> {
  const tokens = [...byteAlphabet(), ...byteAlphabet().map((c) => `${c}</w>`), ...MERGES.map(([a, b]) => a + b), '<|startoftext|>', '<|endoftext|>'];
  return new Map(tokens.map((t, i) => [t, i]));
}

const vocab = tinyVocab();
const id = (t: string): number => {
  const v = vocab.get(t);
  if (v === undefined) throw new Error(`no ${t}`);
  return v;
};
const BOS = id('<|startoftext|>');
const EOS = id('<|endoftext|>');
const dir = mkdtempSync(join(tmpdir(), 'aptp-tok-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeFolder(name: string, config: Record<string, unknown>, specialMap?: Record<string, unknown>): string {
  const d = join(dir, name);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d);
  writeFileSync(join(d, 'vocab.json'), JSON.stringify(Object.fromEntries(vocab)));
  writeFileSync(join(d, 'merges.txt'), `#version: 0.2\n${MERGES.map((m) => m.join(' ')).join('\n')}\n`);
  writeFileSync(join(d, 'tokenizer_config.json'), JSON.stringify(config));
  if (specialMap) writeFileSync(join(d, 'special_tokens_map.json'), JSON.stringify(specialMap));
  return d;
}

describe('CLIP tokenizer', () => {
  const sd1 = loadClipTokenizer(writeFolder('sd1', { model_max_length: 77, pad_token: { content: '<|endoftext|>', normalized: true }, do_lower_case: true }));

  it('merges by rank, ends words with </w>, wraps in bos/eos and pads with <|endoftext|> to 77', () => {
    const e = sd1.encode('The  CAT\tand\nthe cat');
    const words = [id('the</w>'), id('cat</w>'), id('and</w>'), id('the</w>'), id('cat</w>')];
    expect(e.ids.slice(0, 7)).toEqual([BOS, ...words, EOS]);
    expect(e.ids.length).toBe(77);
    expect(e.ids.slice(7).every((i) => i === EOS)).toBe(true);
    expect(e.attentionMask.slice(0, 8)).toEqual([1, 1, 1, 1, 1, 1, 1, 0]);
  });

  it("splits contractions, single digits and punctuation runs; partial merges stay split", () => {
    expect(sd1.tokenize("don't 2024 wow!!! d")).toEqual([
      id('don</w>'), id("'t</w>"), id('2</w>'), id('0</w>'), id('2</w>'), id('4</w>'), id('w'), id('o'), id('w</w>'), id('!'), id('!'), id('!</w>'), id('d</w>'),
    ]);
  });

  it('encodes any unicode through UTF-8 bytes (accents, CJK, emoji)', () => {
    const bytes = (s: string): number[] => {
      const chars = toByteChars(s);
      return chars.map((c, i) => id(i === chars.length - 1 ? `${c}</w>` : c));
    };
    expect(sd1.tokenize('é')).toEqual(bytes('é'));
    expect(sd1.tokenize('E\u0301')).toEqual(bytes('é'));
    expect(sd1.tokenize('猫')).toEqual(bytes('猫'));
    expect(sd1.tokenize('🐱🐱')).toEqual(bytes('🐱🐱'));
  });

  it('keeps special tokens whole and truncates long prompts to bos + 75 + eos', () => {
    expect(sd1.tokenize('cat<|endoftext|>the')).toEqual([id('cat</w>'), EOS, id('the</w>')]);
    const long = sd1.encode(Array(100).fill('cat').join(' '));
    expect(long.ids.length).toBe(77);
    expect([long.ids[0], long.ids[75], long.ids[76]]).toEqual([BOS, id('cat</w>'), EOS]);
    expect([long.truncated.length, sd1.decode(long.truncated)]).toEqual([25, Array(25).fill('cat').join(' ')]);
    expect(sd1.encode('the cat').truncated).toEqual([]);
    expect(sd1.decode(sd1.encode('Don\'t  🐱 THE cat!').ids)).toBe("don 't 🐱 the cat !");
    expect(sd1.encode(Array(100).fill('cat').join(' '), { truncation: false, padding: 'none' }).ids.length).toBe(102);
  });

  it("pads with '!' when special_tokens_map says so (SD 2.x), which then, as an added token, never merges", () => {
    const sd2 = loadClipTokenizer(writeFolder('sd2', { model_max_length: 77, pad_token: '<|endoftext|>' }, { pad_token: '!' }));
    expect(sd2.padId).toBe(id('!'));
    expect(sd2.tokenize('cat!!')).toEqual([id('cat</w>'), id('!'), id('!')]);
    expect(sd1.tokenize('cat!!')).toEqual([id('cat</w>'), id('!'), id('!</w>')]);
    expect(sd2.encode('the cat').ids.slice(3, 6)).toEqual([EOS, id('!'), id('!')]);
    const batch = sd2.encodeBatch(['the', 'cat']);
    expect([batch.length, batch[0], batch[77 + 1]]).toEqual([154, BigInt(BOS), BigInt(id('cat</w>'))]);
  });

  it("'slow' flavor cleans text as transformers 4's slow CLIPTokenizer without ftfy", () => {
    const slow = loadClipTokenizer(writeFolder('slow', { model_max_length: 77, do_lower_case: true }), 'slow');
    const word = (s: string): number[] => {
      const chars = toByteChars(s);
      return chars.map((c, i) => id(i === chars.length - 1 ? `${c}</w>` : c));
    };
    expect(slow.tokenize('猫犬')).toEqual([...word('猫'), ...word('犬')]);
    expect(sd1.tokenize('猫犬')).toEqual(word('猫犬'));
    expect(slow.tokenize('c\u200bat\x07')).toEqual([id('cat</w>')]);
    expect(sd1.tokenize('c\u200bat')).toEqual([id('c</w>'), ...word('\u200b'), id('a'), id('t</w>')]);
    expect(slow.tokenize('THE <|ENDOFTEXT|>')).toEqual([id('the</w>'), EOS]);
    expect(slow.tokenize('ΟΔΟΣ')).toEqual(word('οδος'));
    expect(slow.tokenize('a\u0345b')).toEqual([id('a</w>'), id('b</w>')]);
    expect(sd1.tokenize('a\u0345b')).toEqual([id('a</w>'), ...word('\u0345'), id('b</w>')]);
    expect(sd1.tokenize('ΟΔΟΣ')).toEqual(word('οδοσ'));
    expect(sd1.tokenize('<|ENDOFTEXT|>')).toEqual([EOS]);
    expect(slow.tokenize('<|ENDOFTEXT|>')).toEqual([EOS]);
  });

  it('matches special tokens declared normalized: true in any case, plain ones only as written (flags read, not assumed)', () => {
    const plain = loadClipTokenizer(writeFolder('plain', { model_max_length: 77, pad_token: '<|endoftext|>' }));
    expect(plain.tokenize('x<|endoftext|>')).toEqual([id('x</w>'), EOS]);
    expect(plain.tokenize('x<|ENDOFTEXT|>')).not.toContain(EOS);
    const decoder = loadClipTokenizer(writeFolder('decoder', { model_max_length: 77, added_tokens_decoder: { [String(EOS)]: { content: '<|endoftext|>', normalized: true, special: true } } }));
    expect(decoder.tokenize('x<|EndOfText|>')).toEqual([id('x</w>'), EOS]);
    expect(decoder.tokenize('<|STARTOFTEXT|>')).not.toContain(BOS);
    const json = join(dir, 'json-flags');
    mkdirSync(json);
    writeFileSync(join(json, 'tokenizer.json'), JSON.stringify({ model: { type: 'BPE', vocab: Object.fromEntries(vocab), merges: MERGES.map((m) => m.join(' ')) }, added_tokens: [{ id: BOS, content: '<|startoftext|>', normalized: true, special: true }] }));
    expect(loadClipTokenizer(json).tokenize('<|StartOfText|>')).toEqual([BOS]);
  });

  it('pads and truncates to the model_max_length the tokenizer config gives', () => {
    const short = loadClipTokenizer(writeFolder('short', { model_max_length: 16 }));
    expect(short.maxLength).toBe(16);
    expect(short.encode('the cat').ids).toHaveLength(16);
    expect(short.encode('a '.repeat(40)).ids).toHaveLength(16);
  });

  it('reads vocab and merges from tokenizer.json when a folder (saved by transformers 5) has only that', () => {
    const d = join(dir, 'json-only');
    mkdirSync(d);
    writeFileSync(join(d, 'tokenizer.json'), JSON.stringify({ model: { type: 'BPE', vocab: Object.fromEntries(vocab), merges: MERGES.map((m, i) => (i % 2 ? m : m.join(' '))) } }));
    writeFileSync(join(d, 'tokenizer_config.json'), JSON.stringify({ model_max_length: 77, pad_token: '!' }));
    const t = loadClipTokenizer(d);
    expect(t.encode("The cat, don't!").ids).toEqual(loadClipTokenizer(writeFolder('json-ref', { model_max_length: 77, pad_token: '!' })).encode("The cat, don't!").ids);
    expect(() => loadClipTokenizer(join(dir, 'nowhere'))).toThrow(/vocab\.json is missing/);
  });

  it('refuses merges that do not belong to the vocabulary and a pad token it lacks', () => {
    const d = writeFolder('bad', { model_max_length: 77 });
    writeFileSync(join(d, 'merges.txt'), '#version: 0.2\nq z\n');
    expect(() => loadClipTokenizer(d)).toThrow(/merge 1 \('q z'\) uses a token missing from vocab.json/);
    expect(() => new ClipTokenizer({ vocab, merges: [], bosToken: '<|startoftext|>', eosToken: '<|endoftext|>', padToken: '<pad>', unkToken: '<|endoftext|>', maxLength: 77 })).toThrow(/pad token '<pad>'/);
  });
});
