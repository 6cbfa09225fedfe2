// Resume gives exactly the metric series of an uninterrupted run with the same seed: a run paused
// after 3 of 6 steps (checkpoint written on pause) and resumed by fresh objects, as a new process
// would, records the same value for every metric at every step (wall time aside). Also: the
// checkpoint is a complete safetensors file and every step recorded the documented metrics.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPrune, type PruneRunContext } from '../../src/engine/aptp/trainer/prune-run';
import { clusteredData, tinyPrune } from './tiny-prune';

type Series = Map<number, Record<string, number>>;

function context(dir: string, series: Series, pauseAt = Number.POSITIVE_INFINITY): PruneRunContext {
  let done = 0;
  return {
    signal: new AbortController().signal,
    pauseRequested: () => done >= pauseAt,
    progress: (p) => { done = p.done; },
    metrics: (step, values) => { series.set(step, { ...values }); },
    checkpointDir: dir,
  };
}

const dirs: string[] = [];
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

async function run(dir: string, series: Series, pauseAt?: number) {
  const setup = tinyPrune(clusteredData(12, 3));
  try {
    return await runPrune(setup.stepper, setup.schedule, setup.initial, context(dir, series, pauseAt));
  } finally {
    await setup.stepper.dispose();
  }
}

describe('pruning run resume', () => {
  it('repeats an uninterrupted run exactly', async () => {
    const [a, b] = [await mkdtemp(join(tmpdir(), 'aptp-a-')), await mkdtemp(join(tmpdir(), 'aptp-b-'))];
    dirs.push(a, b);
    const whole: Series = new Map();
    const done = await run(a, whole);
    expect(done.status).toBe('completed');
    const parts: Series = new Map();
    const paused = await run(b, parts, 3);
    expect(paused).toMatchObject({ status: 'paused', step: 3 });
    expect(await readdir(b)).toEqual(['step-00000003.safetensors']);
    const resumed = await run(b, parts);
    expect(resumed).toMatchObject({ status: 'completed', step: 6 });
    expect([...whole.keys()]).toEqual([0, 1, 2, 3, 4, 5]);
    for (const [step, values] of whole) {
      const { 'time/step': _a, ...expected } = values;
      const { 'time/step': _b, ...actual } = parts.get(step) ?? {};
      expect(actual, `step ${step}`).toEqual(expected);
    }
    const names = Object.keys(whole.get(5) ?? {});
    for (const n of ['loss/total', 'loss/ddpm', 'loss/distill', 'loss/block', 'loss/resource', 'loss/std', 'loss/max', 'loss/contrastive', 'lr', 'rho/mean', 'rho/std', 'rho/min', 'rho/max', 'code/0', 'code/1', 'skipped', 'time/step']) {
      expect(names).toContain(n);
    }
    expect((whole.get(5)?.['code/0'] ?? 0) + (whole.get(5)?.['code/1'] ?? 0)).toBe(4);
    expect(whole.get(0)?.['lr']).toBe(0);
    const params = Object.values(resumed.state.params).map((t) => Array.from(t.data as Float32Array));
    const first = Object.values(done.state.params).map((t) => Array.from(t.data as Float32Array));
    expect(params).toEqual(first);
  });
});
