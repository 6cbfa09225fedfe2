// World items: scene, caption and pixels of item i of a world seed, each from its own random stream
// (seed, i), so any item can be rendered again alone and a larger dataset extends a smaller one.
import { Random } from '../train/random';
import { canonicalCaption, sampleCaption } from './caption';
import { renderScene } from './render';
import { sampleScene, type Difficulty, type Scene } from './scene';

export interface WorldItem {
  readonly index: number;
  readonly scene: Scene;
  readonly caption: string;
  /** The canonical caption (the prompt evaluation uses for this scene). */
  readonly prompt: string;
  /** 64x64x3 RGB bytes. */
  readonly rgb: Uint8Array;
}

/** Share of each difficulty in a dataset (default: 40% easy, 30% medium, 30% hard). */
export type DifficultyMix = Readonly<Record<Difficulty, number>>;
export const DEFAULT_MIX: DifficultyMix = { easy: 0.4, medium: 0.3, hard: 0.3 };

/** A per-item seed mixing the world seed and the index (so streams of neighbouring items differ). */
export function itemSeed(seed: number, index: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (index + 0x85ebca6b), 0xc2b2ae35) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0x27d4eb2f) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

function difficultyOf(u: number, mix: DifficultyMix): Difficulty {
  const total = mix.easy + mix.medium + mix.hard;
  if (u * total < mix.easy) return 'easy';
  return u * total < mix.easy + mix.medium ? 'medium' : 'hard';
}

/** Item `index` of world `seed`; `difficulty` forces one instead of drawing it from `mix`. */
export function worldItem(seed: number, index: number, options: { mix?: DifficultyMix; difficulty?: Difficulty } = {}): WorldItem {
  const rand = new Random(itemSeed(seed, index));
  const u = rand.next();
  const scene = sampleScene(rand, options.difficulty ?? difficultyOf(u, options.mix ?? DEFAULT_MIX));
  return { index, scene, caption: sampleCaption(rand, scene), prompt: canonicalCaption(scene), rgb: renderScene(scene) };
}
