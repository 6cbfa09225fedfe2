// From the engine's decimated series to the Train view's charts: names grouped (total loss first,
// codes in numeric order), bucket envelopes as bands only when decimated, the resource ratio's band
// from the per-step min and max (none when the series do not line up), code usage by step, and the
// configuration keys that differ between two runs.
import { describe, expect, it } from 'vitest';
import { chartNames, codeUsage, configDiff, lineSeries, rhoSeries, type MetricSeries } from '../../src/renderer/components/train/run-series';

const series = (name: string, points: [number, number, number, number][]): MetricSeries => ({ name, totalPoints: points.length, points: points.map(([step, value, min, max]) => ({ step, value, min, max })) });

describe('run series', () => {
  it('groups the recorded names', () => {
    const names = ['code/10', 'code/2', 'loss/ddpm', 'loss/total', 'lr', 'rho/mean', 'rho/min', 'time/step', 'code/0', 'loss/block'];
    expect(chartNames(names)).toEqual({ losses: ['loss/total', 'loss/block', 'loss/ddpm'], codes: ['code/0', 'code/2', 'code/10'], lr: true, rho: true });
    expect(chartNames(['time/step'])).toEqual({ losses: [], codes: [], lr: false, rho: false });
  });

  it('draws a band only for decimated buckets', () => {
    const raw = lineSeries(series('loss/total', [[0, 1, 1, 1], [1, 2, 2, 2]]), '#000');
    expect(raw).toEqual({ name: 'loss/total', colour: '#000', steps: [0, 1], values: [1, 2] });
    const decimated = lineSeries(series('loss/total', [[0, 1.5, 1, 2], [10, 3, 3, 3]]), '#000', 'a');
    expect(decimated).toMatchObject({ name: 'a', lower: [1, 3], upper: [2, 3] });
    expect(lineSeries(undefined, '#000', 'none').steps).toEqual([]);
  });

  it('bands the resource ratio from the lowest min to the highest max', () => {
    const by = new Map([
      ['rho/mean', series('rho/mean', [[0, 0.5, 0.4, 0.6], [5, 0.7, 0.7, 0.7]])],
      ['rho/min', series('rho/min', [[0, 0.2, 0.1, 0.3], [5, 0.6, 0.6, 0.6]])],
      ['rho/max', series('rho/max', [[0, 0.8, 0.7, 0.9], [5, 0.9, 0.9, 0.9]])],
    ]);
    expect(rhoSeries(by, '#f00')).toMatchObject({ steps: [0, 5], values: [0.5, 0.7], lower: [0.1, 0.6], upper: [0.9, 0.9] });
    by.set('rho/max', series('rho/max', [[0, 0.8, 0.7, 0.9]]));
    expect(rhoSeries(by, '#f00').lower).toBeUndefined();
  });

  it('turns code counts into usage by step', () => {
    const usage = codeUsage([series('code/0', [[0, 3, 3, 3], [1, 0, 0, 0]]), series('code/1', [[0, 1, 1, 1], [1, 4, 4, 4]])]);
    expect(usage).toEqual({ steps: [0, 1], counts: [[3, 0], [1, 4]] });
    expect(codeUsage([])).toEqual({ steps: [], counts: [] });
  });

  it('lists the settings that differ', () => {
    const a = { budget: 0.6, steps: 24, preset: 'quick', objective: { w: 1 } };
    const b = { budget: 0.8, steps: 24, preset: 'quick', objective: { w: 2 }, seed: 1 };
    expect(configDiff(a, b)).toEqual([
      { key: 'budget', a: '0.6', b: '0.8' },
      { key: 'objective', a: '{"w":1}', b: '{"w":2}' },
      { key: 'seed', a: '–', b: '1' },
    ]);
    expect(configDiff(a, { ...a })).toEqual([]);
  });
});
