// Main's view of running jobs (the shared reducer): a job is known from its jobStarted or progress
// event, never from a method name; forgotten when it finishes; a dead engine host ends each
// still-running job with one error event.
import { describe, expect, it } from 'vitest';
import { JobWatch } from '../../src/shared/host-connection';
import { parseEvent } from '../../src/shared/studio-validate';

const stopped = { code: 'engine-stopped', message: 'The engine stopped.', details: {} };

describe('JobWatch', () => {
  it('ends the jobs still running, once, with valid jobFinished events', () => {
    const watch = new JobWatch();
    watch.observe({ event: 'jobStarted', payload: { jobId: 'a', kind: 'generateImage' } });
    watch.observe({ event: 'jobStarted', payload: { jobId: 'b', kind: 'importDataset' } });
    watch.observe({ event: 'jobProgress', payload: { jobId: 'c', kind: 'prepareDataset', done: 1, total: 9, detail: '', metrics: {} } });
    watch.observe({ event: 'jobFinished', payload: { jobId: 'b', kind: 'importDataset', result: { ok: false, error: { ...stopped, code: 'cancelled' } } } });
    const events = watch.abandon(stopped);
    expect(events.map((e) => [e.payload.jobId, e.event === 'jobFinished' && e.payload.kind])).toEqual([['a', 'generateImage'], ['c', 'prepareDataset']]);
    for (const e of events) expect(parseEvent(e.event, e.payload)).toEqual({ ok: true, value: e });
    expect(watch.abandon(stopped)).toEqual([]);
  });

  it('ignores events of other kinds and events after a job finished', () => {
    const watch = new JobWatch();
    watch.observe({ event: 'runChanged', payload: { id: 'r', kind: 'importDataset', status: 'running', progress: { done: 0, total: 1, detail: '' }, requested: null, createdAt: 'now', startedAt: null, finishedAt: null, error: null, attempts: 1, resource: null } });
    watch.observe({ event: 'jobFinished', payload: { jobId: 'x', kind: 'importDataset', result: { ok: false, error: stopped } } });
    watch.observe({ event: 'jobProgress', payload: { jobId: 'x', kind: 'importDataset', done: 1, total: 2, detail: '', metrics: {} } });
    expect(watch.abandon(stopped).map((e) => e.payload.jobId)).toEqual(['x']);
  });
});
