// The words that most separate two sets of prompts: log-odds ratio with an informative Dirichlet
// prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words"), over document frequencies (a word counts
// once per prompt), as a z-score so rare words need more evidence. Positive scores mark set A.
// Words are lower-cased runs of letters/digits; a short list of function words is left out.

const STOP = new Set('a an the of and or in on at to with for from by is are was were be as it its this that these those into over under near some'.split(' '));

export interface WordScore {
  readonly word: string;
  readonly shareA: number;
  readonly shareB: number;
  readonly score: number;
}

export function wordsOf(prompt: string): Set<string> {
  const words = prompt.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return new Set(words.filter((w) => w.length > 1 && !STOP.has(w)));
}

function documentFrequencies(prompts: readonly string[]): Map<string, number> {
  const df = new Map<string, number>();
  for (const p of prompts) for (const w of wordsOf(p)) df.set(w, (df.get(w) ?? 0) + 1);
  return df;
}

/** Every word of either set, most separating (largest |score|) first; `prior` is the total prior mass. */
export function separatingWords(a: readonly string[], b: readonly string[], prior = 10): WordScore[] {
  const fa = documentFrequencies(a);
  const fb = documentFrequencies(b);
  const vocab = new Set([...fa.keys(), ...fb.keys()]);
  const na = [...fa.values()].reduce((s, v) => s + v, 0);
  const nb = [...fb.values()].reduce((s, v) => s + v, 0);
  const total = na + nb;
  if (total === 0) return [];
  const out: WordScore[] = [];
  for (const w of vocab) {
    const ya = fa.get(w) ?? 0;
    const yb = fb.get(w) ?? 0;
    const alpha = (prior * (ya + yb)) / total;
    const a0 = prior;
    const delta = Math.log((ya + alpha) / (na + a0 - ya - alpha)) - Math.log((yb + alpha) / (nb + a0 - yb - alpha));
    const variance = 1 / (ya + alpha) + 1 / (yb + alpha);
    out.push({ word: w, shareA: a.length ? ya / a.length : 0, shareB: b.length ? yb / b.length : 0, score: delta / Math.sqrt(variance) });
  }
  return out.sort((x, y) => Math.abs(y.score) - Math.abs(x.score) || x.word.localeCompare(y.word));
}
