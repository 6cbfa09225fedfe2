// How far a run's learning rate can move a gate logit (the estimate's logitTravel): the sum of the
// scheduled rates, lr x sqrt(batch) with warm-up, over the steps the codes gate the UNet (after
// predictor pre-training; every step for the single-architecture baseline). At the paper's COCO
// settings it clears the Gumbel offset of 3 that switching a gate off needs; 300 steps do not.
import { describe, expect, it } from 'vitest';
import { logitTravel } from '../../src/engine/aptp/trainer/setup';

const coco = { lr: 2e-4, batch: 64, steps: 5000, warmupSteps: 100, pretrainSteps: 500, kind: 'router' as const };

describe('logitTravel', () => {
  it('is lr x sqrt(batch) per code-gated step, warm-up included', () => {
    expect(logitTravel(coco)).toBeCloseTo(1.6e-3 * 4500, 9);
    expect(logitTravel(coco)).toBeGreaterThan(3);
    // 300 steps: pre-training ends at 30, inside the 100 warm-up steps (step s runs at s/100 of the rate)
    const short = { ...coco, steps: 300, pretrainSteps: 30 };
    let expected = 0;
    for (let s = 30; s < 300; s++) expected += 1.6e-3 * Math.min(1, s / 100);
    expect(logitTravel(short)).toBeCloseTo(expected, 9);
    expect(logitTravel(short)).toBeLessThan(0.4);
  });

  it('counts every step for the baseline, and none when pre-training takes them all', () => {
    expect(logitTravel({ ...coco, kind: 'single' })).toBeCloseTo(1.6e-3 * (4900 + 99 / 2), 9);
    expect(logitTravel({ ...coco, pretrainSteps: 5000 })).toBe(0);
  });
});
