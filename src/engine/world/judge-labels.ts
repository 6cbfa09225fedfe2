// What the judge reads from an image, as targets and back: which shapes and which colours are
// present (multi-label), how many objects (0 to MAX_COUNT), and which text (none or one of TEXTS).
// The judge's logits are laid out [shapes | colours | count | text] in that order.
import type { Scene } from './scene';
import { COLOUR_NAMES, MAX_COUNT, SHAPES, TEXTS, type Colour, type Shape } from './vocabulary';

export const HEADS = { shape: SHAPES.length, colour: COLOUR_NAMES.length, count: MAX_COUNT + 1, text: TEXTS.length + 1 } as const;
export const LOGITS = HEADS.shape + HEADS.colour + HEADS.count + HEADS.text;
export const OFFSETS = { shape: 0, colour: HEADS.shape, count: HEADS.shape + HEADS.colour, text: HEADS.shape + HEADS.colour + HEADS.count } as const;

export interface Reading {
  readonly shapes: readonly Shape[];
  readonly colours: readonly Colour[];
  readonly count: number;
  /** The text shown, or null. */
  readonly text: string | null;
}

/** The ground truth reading of a scene. */
export function truthOf(scene: Scene): Reading {
  const shapes = SHAPES.filter((s) => scene.objects.some((o) => o.shape === s));
  const colours = COLOUR_NAMES.filter((c) => scene.objects.some((o) => o.colour === c) || scene.text?.colour === c);
  return { shapes, colours, count: scene.objects.length, text: scene.text?.text ?? null };
}

/** Multi-hot presence targets [shapes | colours] and the class indices of count and text. */
export function targetsOf(scene: Scene): { presence: number[]; count: number; text: number } {
  const t = truthOf(scene);
  const presence = [...SHAPES.map((s) => (t.shapes.includes(s) ? 1 : 0)), ...COLOUR_NAMES.map((c) => (t.colours.includes(c) ? 1 : 0))];
  return { presence, count: Math.min(t.count, MAX_COUNT), text: t.text === null ? 0 : TEXTS.indexOf(t.text) + 1 };
}

function argMax(row: ArrayLike<number>, from: number, n: number): number {
  let best = 0;
  for (let k = 1; k < n; k++) if ((row[from + k] as number) > (row[from + best] as number)) best = k;
  return best;
}

/** Decodes one image's logits (a row of LOGITS values). */
export function readLogits(row: ArrayLike<number>): Reading {
  const shapes = SHAPES.filter((_, k) => (row[OFFSETS.shape + k] as number) > 0);
  const colours = COLOUR_NAMES.filter((_, k) => (row[OFFSETS.colour + k] as number) > 0);
  const text = argMax(row, OFFSETS.text, HEADS.text);
  return { shapes, colours, count: argMax(row, OFFSETS.count, HEADS.count), text: text === 0 ? null : (TEXTS[text - 1] as string) };
}

const sameSet = <T>(a: readonly T[], b: readonly T[]): boolean => a.length === b.length && a.every((x) => b.includes(x));

/** Per-attribute agreement of a reading with the truth. */
export function agreement(read: Reading, truth: Reading): { shape: boolean; colour: boolean; count: boolean; text: boolean } {
  return { shape: sameSet(read.shapes, truth.shapes), colour: sameSet(read.colours, truth.colours), count: read.count === truth.count, text: read.text === truth.text };
}
