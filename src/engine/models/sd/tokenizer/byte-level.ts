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

const decoder = new Map(table.map((c, b) => [c, b]));

/** Byte-level characters back to text (UTF-8, invalid sequences as U+FFFD); other characters dropped. */
export function fromByteChars(chars: string): string {
  const bytes: number[] = [];
  for (const c of chars) {
    const b = decoder.get(c);
    if (b !== undefined) bytes.push(b);
  }
  return new TextDecoder('utf-8').decode(Uint8Array.from(bytes));
}

/** The 256 byte-level characters in byte order. */
export function byteAlphabet(): readonly string[] {
  return table;
}
