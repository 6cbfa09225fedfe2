// "Did you mean": the nearest of the known names to what the user typed (edit distance, with a
// transposition counting as one edit), only when it is close enough to be a typo.

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known name nearest to `typed`, if within a typo's reach (a third of its length, at least 1, at most 3); or one it starts. */
export function nearest(typed: string, known: readonly string[]): string | undefined {
  const reach = Math.min(3, Math.max(1, Math.floor(typed.length / 3)));
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(typed.toLowerCase(), name.toLowerCase());
    if (distance <= reach && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name ?? (typed.length >= 3 ? known.find((n) => n.startsWith(typed)) : undefined);
}

/** " (did you mean 'x'?)" or nothing. */
export function didYouMean(typed: string, known: readonly string[], prefix = ''): string {
  const hit = nearest(typed, known);
  return hit ? ` (did you mean '${prefix}${hit}'?)` : '';
}
