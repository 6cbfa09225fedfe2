// The probe behind the Train view's time estimate: it builds a configuration's real step on the CPU
// provider and times real steps (positive, finite figures; the total scales with the steps asked);
// the cache measures a shape once, says so on the next request, measures a new shape again, and
// forgets a failed measurement; the shape key ignores what does not change a step's cost (budget) and keys on the memory mode.
import { describe, expect, it } from 'vitest';
import { MEASURED_STEPS, measureSteps, ProbeCache, shapeKey } from '../../src/engine/aptp/trainer/probe';
import { pruneConfigSchema, resolvePruneConfig, type PruneConfig } from '../../src/shared/prune-api';
import { clusteredData, tinyModel } from './tiny-prune';

const config = (over: Record<string, unknown> = {}) =>
  withResolution(pruneConfigSchema.parse({ model: 'tiny', dataset: 'tiny', budget: 0.7, preset: 'quick', steps: 6, batch: 4, microBatch: 2, experts: 2, pretrainSteps: 2, warmupSteps: 2, resolution: 256, ...over }));

/** The tiny model is no folder the engine could read a resolution from: the tests give one. */
const withResolution = (c: PruneConfig) => resolvePruneConfig({ ...c, resolution: c.resolution ?? 256 });

describe('pruning probe', () => {
  it('times real steps of the configuration', async () => {
    const m = await measureSteps(tinyModel(), clusteredData(8, 2), config(), { provider: 'cpu', intraOpThreads: 1 });
    expect(m.provider).toBe('cpu');
    expect(m.measuredSteps).toBe(MEASURED_STEPS);
    expect(m.stepSeconds).toBeGreaterThan(0);
    expect(Number.isFinite(m.setupSeconds)).toBe(true);
    expect(m.memory).toBe('fast');
    expect(m.memoryBytes).toBeGreaterThan(0);
    const cache = new ProbeCache();
    const first = await cache.get('a', 100, async () => m);
    expect(first).toMatchObject({ cached: false, totalSeconds: m.setupSeconds + 100 * m.stepSeconds });
  });

  it('measures a shape once, again for a new shape, and retries after a failure', async () => {
    const cache = new ProbeCache();
    let calls = 0;
    const measure = async () => {
      calls += 1;
      return { provider: 'cpu', setupSeconds: 2, stepSeconds: 0.5, measuredSteps: 2, memory: 'fast' as const, memoryBytes: 1e6 };
    };
    expect(await cache.get('a', 10, measure)).toMatchObject({ cached: false, totalSeconds: 7 });
    expect(await cache.get('a', 20, measure)).toMatchObject({ cached: true, totalSeconds: 12 });
    expect(calls).toBe(1);
    await cache.get('b', 10, measure);
    expect(calls).toBe(2);
    await expect(cache.get('c', 10, () => Promise.reject(new Error('no memory')))).rejects.toThrow('no memory');
    expect(await cache.get('c', 10, measure)).toMatchObject({ cached: false });
  });

  it('keys on what changes a step, not on the budget', () => {
    expect(shapeKey(config({ budget: 0.3 }), 'd')).toBe(shapeKey(config({ budget: 0.9 }), 'd'));
    expect(shapeKey(config({ microBatch: 4 }), 'd')).not.toBe(shapeKey(config(), 'd'));
    expect(shapeKey(config(), 'd')).not.toBe(shapeKey(config(), 'e'));
    expect(shapeKey(config({ memory: 'lean' }), 'd')).not.toBe(shapeKey(config(), 'd'));
  });
});
