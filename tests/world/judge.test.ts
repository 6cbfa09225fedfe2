// The world's judge: the shipped judge (resources/world/judge, trained by `world build`) reads shape,
// colour, count and text back from freshly rendered scenes (a world seed training never used) above
// 95% per attribute; prompt fidelity accepts exactly the scenes' own truth; the judge-feature
// Fréchet distance is 0 for a set against itself, |c|^2 for a shift by c and tr(S) for a doubling.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeAccuracy, matchesPrompt } from '../../src/engine/world/fidelity';
import { frechetDistance } from '../../src/engine/world/frechet';
import { Judge } from '../../src/engine/world/judge';
import { truthOf } from '../../src/engine/world/judge-labels';
import { worldItem } from '../../src/engine/world/items';
import { Random } from '../../src/engine/train/random';

const SHIPPED = join(__dirname, '..', '..', 'resources', 'world', 'judge');

describe('shipped world judge', () => {
  let judge: Judge;
  beforeAll(async () => {
    judge = await Judge.load(SHIPPED, { batch: 50 });
  });
  afterAll(() => judge.dispose());

  it('reads every attribute of fresh scenes above 95%', async () => {
    const acc = await judgeAccuracy(judge, 2_026_113, 500);
    expect(acc.shape).toBeGreaterThan(0.95);
    expect(acc.colour).toBeGreaterThan(0.95);
    expect(acc.count).toBeGreaterThan(0.95);
    expect(acc.text).toBeGreaterThan(0.95);
  });

  it('gives 128 features per image', async () => {
    const { features } = await judge.read([worldItem(1, 0).rgb, worldItem(1, 1).rgb]);
    expect(features.map((f) => f.length)).toEqual([128, 128]);
  });
});

describe('prompt fidelity', () => {
  it("accepts a scene's own truth and refuses a wrong colour, count or text", () => {
    for (let i = 0; i < 200; i++) {
      const { scene } = worldItem(4, i);
      const truth = truthOf(scene);
      expect(matchesPrompt(scene, truth)).toBe(true);
      const wrong = scene.text ? { ...truth, text: scene.text.text === 'A' ? 'E' : 'A' } : { ...truth, colours: truth.colours.slice(1) };
      expect(matchesPrompt(scene, wrong)).toBe(false);
    }
  });
});

describe('judge Fréchet distance', () => {
  const rand = new Random(8);
  const set = Array.from({ length: 300 }, () => Float32Array.from({ length: 6 }, (_, j) => rand.normal() * (1 + j)));

  it('is 0 against itself, |c|^2 for a shift and tr(S) for a doubling', () => {
    expect(Math.abs(frechetDistance(set, set))).toBeLessThan(1e-3);
    const shifted = set.map((f) => f.map((x, j) => x + j * 0.5));
    expect(frechetDistance(set, shifted)).toBeCloseTo([0, 1, 2, 3, 4, 5].reduce((s, j) => s + (j * 0.5) ** 2, 0), 3);
    const mean = Array.from({ length: 6 }, (_, j) => set.reduce((s, f) => s + f[j]!, 0) / set.length);
    const trace = mean.reduce((s, m, j) => s + set.reduce((a, f) => a + (f[j]! - m) ** 2, 0) / (set.length - 1), 0);
    const doubled = set.map((f) => f.map((x) => 2 * x));
    expect(frechetDistance(set, doubled)).toBeCloseTo(trace + mean.reduce((s, m) => s + m * m, 0), 2);
  });
});
