// A world scene and its ground truth: objects (shape, colour, size, where), an optional text (a glyph
// or a short word), the background and its pattern, and for relation scenes which object is where
// relative to which. `sampleScene` draws one from a seeded stream with the designed difficulty:
// easy (one shape, one colour, plain background), medium (two or three objects with sizes,
// positions and a relation, coarse patterns), hard (counts >= 4, glyphs, words, fine textures).
import { EngineError } from '../core/errors';
import type { Random } from '../train/random';
import {
  BACKGROUND_NAMES, COARSE_PATTERNS, COLOUR_NAMES, FINE_PATTERNS, LETTERS, POSITIONS, RELATIONS, SHAPES, SIZES, WORDS,
  type Background, type Colour, type Pattern, type Position, type Relation, type Shape, type Size,
} from './vocabulary';

export const DIFFICULTIES = ['easy', 'medium', 'hard'] as const;
export type Difficulty = (typeof DIFFICULTIES)[number];
export type SceneKind = 'single' | 'relation' | 'count' | 'glyph' | 'word' | 'texture';

export interface WorldObject {
  readonly shape: Shape;
  readonly colour: Colour;
  readonly size: Size;
  /** Radius in pixels (the size's nominal radius, jittered). */
  readonly radius: number;
  /** Centre in pixels. */
  readonly x: number;
  readonly y: number;
  /** Named position, when the caption says where the object is. */
  readonly position: Position | null;
}

export interface SceneText {
  readonly text: string;
  readonly colour: Colour;
  /** Pixels per font dot. */
  readonly scale: number;
  /** Top-left corner in pixels. */
  readonly left: number;
  readonly top: number;
}

export interface Scene {
  readonly difficulty: Difficulty;
  readonly kind: SceneKind;
  readonly background: Background;
  readonly pattern: Pattern;
  /** Seed of the 'grainy' texture's noise. */
  readonly grain: number;
  readonly objects: readonly WorldObject[];
  readonly text: SceneText | null;
  /** Relation scenes: objects[0] is `relation` objects[1]. */
  readonly relation: Relation | null;
}

const pick = <T>(rand: Random, list: readonly T[]): T => list[rand.int(list.length)] as T;
const jitter = (rand: Random, amount: number): number => Math.round(rand.uniform(-amount, amount));

function base(rand: Random, difficulty: Difficulty, kind: SceneKind, pattern: Pattern): Omit<Scene, 'objects' | 'text' | 'relation'> {
  return { difficulty, kind, background: pick(rand, BACKGROUND_NAMES), pattern, grain: rand.int(2 ** 31) };
}

function single(rand: Random, difficulty: Difficulty, kind: SceneKind, pattern: Pattern): Scene {
  const b = base(rand, difficulty, kind, pattern);
  const object: WorldObject = { shape: pick(rand, SHAPES), colour: pick(rand, COLOUR_NAMES), size: 'large', radius: SIZES.large + jitter(rand, 2), x: 32 + jitter(rand, 4), y: 32 + jitter(rand, 4), position: null };
  return { ...b, objects: [object], text: null, relation: null };
}

/** Distinct (shape, colour) pairs so every object of a scene can be told apart by its caption. */
function distinctLooks(rand: Random, n: number): { shape: Shape; colour: Colour }[] {
  const looks: { shape: Shape; colour: Colour }[] = [];
  while (looks.length < n) {
    const look = { shape: pick(rand, SHAPES), colour: pick(rand, COLOUR_NAMES) };
    if (!looks.some((l) => l.shape === look.shape || l.colour === look.colour)) looks.push(look);
  }
  return looks;
}

const RELATION_PLACES: Readonly<Record<Relation, readonly [Position, Position, Position]>> = {
  'left of': ['left', 'right', 'top'],
  'right of': ['right', 'left', 'bottom'],
  above: ['top', 'bottom', 'left'],
  below: ['bottom', 'top', 'right'],
};

function relationScene(rand: Random): Scene {
  const b = base(rand, 'medium', 'relation', pick(rand, COARSE_PATTERNS));
  const relation = pick(rand, RELATIONS);
  const n = rand.next() < 0.35 ? 3 : 2;
  const objects = distinctLooks(rand, n).map((look, i): WorldObject => {
    const position = RELATION_PLACES[relation][i] as Position;
    const size: Size = rand.next() < 0.5 ? 'small' : 'large';
    const [x, y] = POSITIONS[position];
    const r = n === 3 && size === 'large' ? SIZES.large - 3 : SIZES[size];
    return { ...look, size, radius: r, x: x + jitter(rand, 2), y: y + jitter(rand, 2), position };
  });
  return { ...b, objects, text: null, relation };
}

/** 4 to 6 small identical objects, one per cell of a jittered 3x3 grid. */
function countScene(rand: Random): Scene {
  const b = base(rand, 'hard', 'count', rand.next() < 0.5 ? 'plain' : pick(rand, FINE_PATTERNS));
  const n = 4 + rand.int(3);
  const look = { shape: pick(rand, SHAPES), colour: pick(rand, COLOUR_NAMES) };
  const cells = rand.permutation(9).slice(0, n);
  const objects = cells.map((c): WorldObject => ({ ...look, size: 'small', radius: 7, x: 12 + 20 * (c % 3) + jitter(rand, 1), y: 12 + 20 * Math.floor(c / 3) + jitter(rand, 1), position: null }));
  return { ...b, objects, text: null, relation: null };
}

function textScene(rand: Random, kind: 'glyph' | 'word'): Scene {
  const b = base(rand, 'hard', kind, 'plain');
  const text = kind === 'glyph' ? pick(rand, LETTERS) : pick(rand, WORDS);
  const scale = kind === 'glyph' ? 6 : text.length === 2 ? 5 : 3;
  const width = (text.length * 6 - 1) * scale;
  const height = 7 * scale;
  const left = Math.round((64 - width) / 2) + jitter(rand, Math.min(3, Math.floor((64 - width) / 2)));
  const top = Math.round((64 - height) / 2) + jitter(rand, 3);
  return { ...b, objects: [], text: { text, colour: pick(rand, COLOUR_NAMES), scale, left, top }, relation: null };
}

/** One scene of `difficulty`, drawn from `rand`. */
export function sampleScene(rand: Random, difficulty: Difficulty): Scene {
  if (difficulty === 'easy') return single(rand, 'easy', 'single', 'plain');
  if (difficulty === 'medium') return relationScene(rand);
  if (difficulty !== 'hard') throw new EngineError('invalid-argument', `Unknown difficulty '${String(difficulty)}'; use easy, medium or hard.`, { difficulty });
  const u = rand.next();
  if (u < 0.4) return countScene(rand);
  if (u < 0.6) return textScene(rand, 'glyph');
  if (u < 0.8) return textScene(rand, 'word');
  return single(rand, 'hard', 'texture', pick(rand, FINE_PATTERNS));
}

/** The number of objects the judge should count (0 for a text scene). */
export function objectCount(scene: Scene): number {
  return scene.objects.length;
}
