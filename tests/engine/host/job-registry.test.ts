// The engine host's job registry: ids before events, progress as jobProgress events (throttled,
// the last never lost), exactly one jobFinished per job with its value or error value, cancel
// between steps, and close() cancelling what still runs.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/core/errors';
import { JobRegistry } from '../../../src/engine/host/job-registry';
import { throwIfCancelled, type JobContext } from '../../../src/engine/jobs/job';
import type { StudioEvent } from '../../../src/shared/studio-api';
import type { GeneratedImage } from '../../../src/shared/studio-model';

const image: GeneratedImage = { generationId: 'g', dataUrl: 'data:image/png;base64,AAAA', width: 8, height: 8, seed: 3, steps: 2, scheduler: 'ddim', elapsedMs: 1 };

function recorder() {
  const events: StudioEvent[] = [];
  const finished = (jobId: string) =>
    expect.poll(() => events.find((e) => e.event === 'jobFinished' && e.payload.jobId === jobId), { timeout: 10_000 }).toBeDefined();
  return { events, emit: (e: StudioEvent) => events.push(e), finished };
}

/** A job of `steps` steps, `ms` each, that stops between steps when cancelled. */
function stepper(steps: number, ms: number) {
  return async (ctx: JobContext): Promise<GeneratedImage> => {
    for (let i = 0; i < steps; i++) {
      throwIfCancelled(ctx.signal);
      await sleep(ms);
      ctx.progress({ done: i + 1, total: steps, detail: `step ${i + 1}/${steps}`, metrics: { loss: 1 / (i + 1) } });
    }
    return image;
  };
}

describe('JobRegistry', () => {
  it('returns the id before any event, starts with jobStarted, streams progress and ends with the value', async () => {
    const { events, emit, finished } = recorder();
    const jobs = new JobRegistry(emit, { progressIntervalMs: 0 });
    const jobId = jobs.start('generateImage', stepper(3, 1));
    expect(events).toEqual([]);
    expect(jobs.running()).toEqual([{ jobId, kind: 'generateImage', progress: null }]);
    await finished(jobId);
    expect(events.map((e) => (e.event === 'jobProgress' ? `${e.payload.done}/${e.payload.total}` : e.event))).toEqual(['jobStarted', '1/3', '2/3', '3/3', 'jobFinished']);
    expect(events[0]).toEqual({ event: 'jobStarted', payload: { jobId, kind: 'generateImage' } });
    expect(events[2]).toEqual({ event: 'jobProgress', payload: { jobId, kind: 'generateImage', done: 2, total: 3, detail: 'step 2/3', metrics: { loss: 0.5 } } });
    expect(events.at(-1)).toEqual({ event: 'jobFinished', payload: { jobId, kind: 'generateImage', result: { ok: true, value: image } } });
    expect(jobs.running()).toEqual([]);
  });

  it('names running jobs with their latest progress, even progress the throttle held back', async () => {
    const { emit, finished } = recorder();
    const jobs = new JobRegistry(emit, { progressIntervalMs: 10_000 });
    let release = (): void => undefined;
    const jobId = jobs.start('generateImage', async (ctx) => {
      ctx.progress({ done: 1, total: 9 });
      ctx.progress({ done: 4, total: 9, detail: 'step 4/9' });
      await new Promise<void>((resolve) => (release = resolve));
      return image;
    });
    await expect.poll(() => jobs.running()[0]?.progress?.done).toBe(4);
    expect(jobs.running()).toEqual([{ jobId, kind: 'generateImage', progress: { jobId, kind: 'generateImage', done: 4, total: 9, detail: 'step 4/9', metrics: {} } }]);
    release();
    await finished(jobId);
    expect(jobs.running()).toEqual([]);
  });

  it('throttles progress but always sends the latest before finishing', async () => {
    const { events, emit, finished } = recorder();
    const jobs = new JobRegistry(emit, { progressIntervalMs: 10_000 });
    const jobId = jobs.start('generateImage', async (ctx) => {
      for (let i = 1; i <= 50; i++) ctx.progress({ done: i, total: 100 });
      return image;
    });
    await finished(jobId);
    const progress = events.filter((e) => e.event === 'jobProgress').map((e) => e.payload.done);
    expect(progress).toEqual([1, 50]);
  });

  it('cancels a running job between steps: it finishes with the cancelled error', async () => {
    const { events, emit, finished } = recorder();
    const jobs = new JobRegistry(emit, { progressIntervalMs: 0 });
    const jobId = jobs.start('generateImage', stepper(1000, 5));
    await expect.poll(() => events.length).toBeGreaterThan(1);
    expect(jobs.cancel(jobId)).toBe(true);
    await finished(jobId);
    const last = events.at(-1);
    expect(last).toMatchObject({ event: 'jobFinished', payload: { jobId, result: { ok: false, error: { code: 'cancelled' } } } });
    expect(events.filter((e) => e.event === 'jobProgress').length).toBeLessThan(1000);
    expect(jobs.cancel(jobId)).toBe(false);
    expect(jobs.cancel('no-such-job')).toBe(false);
  });

  it('turns a failure into an error value and logs it with its stack', async () => {
    const { events, emit, finished } = recorder();
    const logged: unknown[] = [];
    const jobs = new JobRegistry(emit, { logError: (_id, error) => logged.push(error) });
    const jobId = jobs.start('generateImage', async () => {
      throw new EngineError('not-found', 'no model here; choose another folder', { dir: '/x' });
    });
    await finished(jobId);
    expect(events.at(-1)).toEqual({
      event: 'jobFinished',
      payload: { jobId, kind: 'generateImage', result: { ok: false, error: { code: 'not-found', message: 'no model here; choose another folder', details: { dir: '/x' } } } },
    });
    expect((logged[0] as Error).stack).toContain('job-registry.test.ts');
  });

  it('close() cancels every running job and waits for each to finish', async () => {
    const { events, emit } = recorder();
    const jobs = new JobRegistry(emit);
    const ids = [jobs.start('generateImage', stepper(1000, 5)), jobs.start('generateImage', stepper(1000, 5))];
    await sleep(20);
    await jobs.close();
    const ends = events.filter((e) => e.event === 'jobFinished');
    expect(ends.map((e) => e.payload.jobId).sort()).toEqual([...ids].sort());
    expect(ends.every((e) => e.event === 'jobFinished' && !e.payload.result.ok && e.payload.result.error.code === 'cancelled')).toBe(true);
  });
});
