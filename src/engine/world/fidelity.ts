// Prompt fidelity as the world's judge sees it: whether an image shows what its scene's prompt asks
// for, by category (easy single shapes, medium relation scenes, hard counts / glyphs / words /
// textures), and the judge's own per-attribute accuracy on freshly rendered scenes. An offline
// stand-in for CLIP score, not CLIP score.
import type { Judge } from './judge';
import { agreement, truthOf, type Reading } from './judge-labels';
import { worldItem } from './items';
import type { Difficulty, Scene } from './scene';

/** Whether `read` matches what `scene`'s prompt asks for. */
export function matchesPrompt(scene: Scene, read: Reading): boolean {
  const a = agreement(read, truthOf(scene));
  switch (scene.kind) {
    case 'single':
    case 'texture':
      return a.shape && a.colour && read.text === null;
    case 'relation':
      return a.shape && a.colour && a.count;
    case 'count':
      return a.shape && a.colour && a.count;
    case 'glyph':
    case 'word':
      return a.text && a.colour;
  }
}

export interface FidelityReport {
  /** Fraction judged correct, per difficulty and per scene kind (only those present). */
  readonly byDifficulty: Readonly<Partial<Record<Difficulty, { correct: number; total: number }>>>;
  readonly byKind: Readonly<Record<string, { correct: number; total: number }>>;
}

export function fidelity(scenes: readonly Scene[], readings: readonly Reading[]): FidelityReport {
  const byDifficulty: Partial<Record<Difficulty, { correct: number; total: number }>> = {};
  const byKind: Record<string, { correct: number; total: number }> = {};
  scenes.forEach((scene, i) => {
    const ok = matchesPrompt(scene, readings[i] as Reading) ? 1 : 0;
    const d = (byDifficulty[scene.difficulty] ??= { correct: 0, total: 0 });
    const k = (byKind[scene.kind] ??= { correct: 0, total: 0 });
    d.correct += ok; d.total += 1;
    k.correct += ok; k.total += 1;
  });
  return { byDifficulty, byKind };
}

export interface JudgeAccuracy {
  readonly shape: number;
  readonly colour: number;
  readonly count: number;
  readonly text: number;
  readonly scenes: number;
}

/** The judge's per-attribute accuracy on `n` fresh scenes of world `seed` (a stream training never saw). */
export async function judgeAccuracy(judge: Judge, seed: number, n: number): Promise<JudgeAccuracy> {
  const items = Array.from({ length: n }, (_, i) => worldItem(seed, i));
  const { readings } = await judge.read(items.map((it) => it.rgb));
  const hits = { shape: 0, colour: 0, count: 0, text: 0 };
  items.forEach((it, i) => {
    const a = agreement(readings[i] as Reading, truthOf(it.scene));
    for (const k of ['shape', 'colour', 'count', 'text'] as const) hits[k] += a[k] ? 1 : 0;
  });
  return { shape: hits.shape / n, colour: hits.colour / n, count: hits.count / n, text: hits.text / n, scenes: n };
}
