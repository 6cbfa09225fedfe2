// Text cleaning of transformers 4's slow CLIPTokenizer when ftfy is absent (its BasicTokenizer with
// accents kept and no punctuation split): drop NUL, U+FFFD and control/format characters, turn
// whitespace into spaces, put spaces around CJK ideographs, NFC, split on whitespace, lowercase.
// Its case-insensitive split regex also matches no alternative for a mark whose case variants are
// letters (U+0345 -> Ι): such characters separate pieces and vanish, so they become spaces here.
// transformers 5 (the tokenizers backend) does none of the dropping or CJK spacing.

const CJK: readonly (readonly [number, number])[] = [
  [0x4e00, 0x9fff], [0x3400, 0x4dbf], [0x20000, 0x2a6df], [0x2a700, 0x2b73f], [0x2b740, 0x2b81f], [0x2b820, 0x2ceaf], [0xf900, 0xfaff], [0x2f800, 0x2fa1f],
];

const CONTROL = /^\p{C}$/u;
const SPACE = /^\p{Zs}$/u;
const SPLIT = /[\s\p{Zl}\p{Zp}]+/u;
const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;
const LETTER = /\p{L}/u;

/** Not a letter or number itself, but a letter in another case: the slow regex skips it. */
function caseVariantLetter(ch: string): boolean {
  return !LETTER_OR_NUMBER.test(ch) && (LETTER.test(ch.toUpperCase()) || LETTER.test(ch.toLowerCase()));
}

function isCjk(cp: number): boolean {
  return CJK.some(([lo, hi]) => cp >= lo && cp <= hi);
}

/** The string BasicTokenizer.tokenize(text) joined by single spaces. */
export function slowClean(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || SPACE.test(ch)) out += ' ';
    else if (cp === 0 || cp === 0xfffd || CONTROL.test(ch)) continue;
    else out += isCjk(cp) ? ` ${ch} ` : ch;
  }
  return out
    .normalize('NFC')
    .split(SPLIT)
    .filter((w) => w.length > 0)
    .map((w) => [...w.toLowerCase()].map((ch) => (caseVariantLetter(ch) ? ' ' : ch)).join(''))
    .join(' ');
}
