// GPT-2 / CLIP byte-level alphabet: every byte 0..255 maps to one printable unicode character
// (printable Latin-1 bytes to themselves, the rest to U+0100 onwards in byte order), so BPE works on
// any UTF-8 text without an unknown character.
const table: readonly string[] = (() => {
  const printable = (b: number): boolean => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const out: string[] = [];
  let next = 256;
  for (let b = 0; b < 256; b++) out.push(String.fromCodePoint(printable(b) ? b : next++));
  return out;
})();

const encoder = new TextEncoder();

/** UTF-8 bytes of `text` as byte-level characters (one array entry per byte). */
export function toByteChars(text: string): string[] {
  return [...encoder.encode(text)].map((b) => table[b] ?? '');
}

/** The 256 byte-level characters in byte order. */
export function byteAlphabet(): readonly string[] {
  return table;
}
