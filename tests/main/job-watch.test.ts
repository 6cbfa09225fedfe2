// Main's view of running jobs: a job is known from its start answer or its progress, forgotten when
// it finishes, and a dead engine host ends each still-running job with one error event.
import { describe, expect, it } from 'vitest';
import { JobWatch } from '../../src/main/job-watch';
import { parseEvent } from '../../src/shared/studio-validate';

const stopped = { code: 'engine-stopped', message: 'The engine stopped.', details: {} };

describe('JobWatch', () => {
  it('ends the jobs still running, once, with valid jobFinished events', () => {
    const watch = new JobWatch();
    watch.started('generateImage', { ok: true, value: { jobId: 'a' } });
    watch.started('importDataset', { ok: true, value: { jobId: 'b' } });
    watch.observe({ event: 'jobProgress', payload: { jobId: 'c', kind: 'prepareDataset', done: 1, total: 9, detail: '', metrics: {} } });
    watch.observe({ event: 'jobFinished', payload: { jobId: 'b', kind: 'importDataset', result: { ok: false, error: { ...stopped, code: 'cancelled' } } } });
    const events = watch.abandon(stopped);
    expect(events.map((e) => [e.payload.jobId, e.event === 'jobFinished' && e.payload.kind])).toEqual([['a', 'generateImage'], ['c', 'prepareDataset']]);
    for (const e of events) expect(parseEvent(e.event, e.payload)).toEqual({ ok: true, value: e });
    expect(watch.abandon(stopped)).toEqual([]);
  });

  it('ignores answers that start no job', () => {
    const watch = new JobWatch();
    watch.started('ping', { ok: true, value: { pong: true, engineTime: 1 } });
    watch.started('generateImage', { ok: false, error: stopped });
    watch.started('listDatasets', { ok: true, value: { jobId: 'x' } });
    expect(watch.abandon(stopped)).toEqual([]);
  });
});
