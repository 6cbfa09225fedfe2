// The training charts' arithmetic: nearest and at-or-before step lookups (edges and ties), value
// ranges that skip non-finite values (and non-positive ones for log axes), stacked code shares that
// sum to 1, and collapse detection naming the codes empty at the latest step and since when.
import { describe, expect, it } from 'vitest';
import { atOrBefore, emptiedCodes, nearestIndex, stackShares, valueExtent } from '../../src/renderer/components/train/series-math';

describe('step lookups', () => {
  const steps = [0, 10, 20, 40];
  it('finds the nearest step, ties to the earlier, and clamps at the ends', () => {
    expect(nearestIndex(steps, 14)).toBe(1);
    expect(nearestIndex(steps, 15)).toBe(1);
    expect(nearestIndex(steps, 16)).toBe(2);
    expect(nearestIndex(steps, -5)).toBe(0);
    expect(nearestIndex(steps, 99)).toBe(3);
    expect(nearestIndex([], 3)).toBe(-1);
  });
  it('finds the last step at or before', () => {
    expect(atOrBefore(steps, 20)).toBe(2);
    expect(atOrBefore(steps, 39)).toBe(2);
    expect(atOrBefore(steps, -1)).toBe(-1);
  });
});

describe('valueExtent', () => {
  it('skips non-finite values, and non-positive ones for a log axis', () => {
    expect(valueExtent([{ values: [3, Number.NaN, -1] }, { values: [Infinity, 7] }])).toEqual([-1, 7]);
    expect(valueExtent([{ values: [0, -2, 0.5, 4] }], true)).toEqual([0.5, 4]);
    expect(valueExtent([{ values: [] }])).toEqual([0, 1]);
  });
});

describe('code usage', () => {
  const usage = { steps: [0, 1, 2, 3], counts: [[4, 4, 6, 8], [4, 2, 0, 0], [0, 2, 2, 0]] };
  it('stacks shares that reach 1 at every step', () => {
    const bands = stackShares(usage);
    for (let i = 0; i < 4; i++) expect(bands[2]![i]![1]).toBeCloseTo(1, 12);
    expect(bands[1]![1]).toEqual([0.5, 0.75]);
  });
  it('names the codes empty at the latest step and since when', () => {
    expect(emptiedCodes(usage)).toEqual([{ code: 1, since: 2 }, { code: 2, since: 3 }]);
    expect(emptiedCodes({ steps: [0, 1], counts: [[1, 1]] })).toEqual([]);
  });
});
