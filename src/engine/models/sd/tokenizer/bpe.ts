// Byte-pair encoding with CLIP's end-of-word suffix, as the tokenizers BPE model runs it: a word's
// characters become vocabulary ids (the last one carrying `</w>`, unknown ones the unk id, not
// fused), then the adjacent pair of lowest merge rank is merged, leftmost first, until none is left.
import { EngineError } from '../../../core/errors';

export const END_OF_WORD = '</w>';

interface Merge {
  readonly rank: number;
  readonly id: number;
}

export class Bpe {
  private readonly merges = new Map<string, Merge>();
  private readonly cache = new Map<string, readonly number[]>();

  constructor(
    private readonly vocab: ReadonlyMap<string, number>,
    mergeLines: readonly (readonly [string, string])[],
    private readonly unkId: number | null,
    file = 'merges.txt',
  ) {
    mergeLines.forEach(([a, b], rank) => {
      const ia = vocab.get(a);
      const ib = vocab.get(b);
      const id = vocab.get(a + b);
      if (ia === undefined || ib === undefined || id === undefined) {
        throw new EngineError('corrupt-file', `${file}: merge ${rank + 1} ('${a} ${b}') uses a token missing from vocab.json; the tokenizer files do not belong together, re-download them.`, { file, line: rank + 2 });
      }
      const key = `${ia},${ib}`;
      if (!this.merges.has(key)) this.merges.set(key, { rank, id });
    });
  }

  /** Token ids of one pre-tokenized word (already in byte-level characters). */
  encodeWord(chars: readonly string[]): readonly number[] {
    const key = chars.join('');
    const hit = this.cache.get(key);
    if (hit) return hit;
    const ids: number[] = [];
    chars.forEach((c, i) => {
      const id = this.vocab.get(i === chars.length - 1 ? c + END_OF_WORD : c);
      if (id !== undefined) ids.push(id);
      else if (this.unkId !== null) ids.push(this.unkId);
    });
    const out = this.mergeAll(ids);
    if (this.cache.size < 10_000) this.cache.set(key, out);
    return out;
  }

  private mergeAll(ids: number[]): number[] {
    for (;;) {
      let best: Merge | undefined;
      let at = -1;
      for (let i = 0; i + 1 < ids.length; i++) {
        const m = this.merges.get(`${ids[i]},${ids[i + 1]}`);
        if (m && (best === undefined || m.rank < best.rank)) {
          best = m;
          at = i;
        }
      }
      if (best === undefined) return ids;
      ids.splice(at, 2, best.id);
    }
  }
}
