// The studio's run endpoints through the contract's validation (what both transports run): list,
// read, pause/cancel/resume a run recorded in a real workspace, its metric series decimated on the
// engine side (100k steps answered with at most maxPoints buckets holding mean, min and max), and
// a second import of a dataset that is being written refused as 'busy'.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudioService, type StudioService } from '../../../src/engine/host/studio-service';
import { WorkspaceHolder } from '../../../src/engine/host/workspace-holder';
import type { Result } from '../../../src/shared/result';
import type { StudioInput, StudioMethod, StudioOutput } from '../../../src/shared/studio-api';
import { runStatusSchema } from '../../../src/shared/studio-runs';
import { RUN_STATUSES } from '../../../src/engine/store/repositories/runs';
import { handleStudioRequest } from '../../../src/shared/studio-validate';
import { put } from '../data/fixtures';
import { tempDir } from '../store/helpers';

const temp = tempDir('aptp-run-service-');
const workspace = new WorkspaceHolder(join(temp.dir, 'ws'));
let service: StudioService;
const STEPS = 100_000;

const call = <M extends StudioMethod>(method: M, input: StudioInput<M>) => handleStudioRequest(service.handlers, method, input) as Promise<Result<StudioOutput<M>>>;

beforeAll(() => {
  service = createStudioService({ workspace });
});
afterAll(async () => {
  await service.close();
  workspace.close();
  temp.cleanup();
});

describe('run endpoints', () => {
  it('keeps the shared status list equal to the migration\'s', () => {
    expect(runStatusSchema.options).toEqual([...RUN_STATUSES]);
  });

  it('lists and reads a run, and decimates 100k metric steps on the engine side', async () => {
    const ws = workspace.get();
    const run = ws.runs.add({ kind: 'pruneExperts', config: { k: 4 } });
    ws.metrics.record(run.id, Array.from({ length: STEPS }, (_, step) => ({ name: 'loss', step, value: step % 10, wallTime: step })));
    ws.runs.finish(run.id, 'completed', { result: { experts: 4 } });

    const listed = await call('listRuns', {});
    expect(listed.ok && listed.value.runs.map((r) => [r.id, r.kind, r.status])).toEqual([[run.id, 'pruneExperts', 'completed']]);
    expect(await call('getRun', { runId: run.id.slice(0, 8) })).toMatchObject({ ok: true, value: { id: run.id, config: { k: 4 }, result: { experts: 4 }, metricNames: ['loss'] } });

    const metrics = await call('runMetrics', { runId: run.id, names: ['loss', 'missing'], maxPoints: 500 });
    if (!metrics.ok) throw new Error(metrics.error.message);
    const [loss, missing] = metrics.value.series;
    expect(loss!.totalPoints).toBe(STEPS);
    expect(loss!.points.length).toBeLessThanOrEqual(500);
    expect(loss!.points[0]).toEqual({ step: 0, value: 4.5, min: 0, max: 9 });
    expect(loss!.points.at(-1)!.step).toBeLessThan(STEPS);
    expect(missing).toEqual({ name: 'missing', points: [], totalPoints: 0 });
    const window = await call('runMetrics', { runId: run.id, names: ['loss'], fromStep: 10, toStep: 14 });
    expect(window.ok && window.value.series[0]!.points).toEqual([0, 1, 2, 3, 4].map((v, i) => ({ step: 10 + i, value: v, min: v, max: v })));
    expect(await call('runMetrics', { runId: run.id, names: [], maxPoints: 500 })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it('pauses, cancels and resumes only along the life cycle', async () => {
    const ws = workspace.get();
    const run = ws.runs.add({ kind: 'pruneExperts' });
    expect(await call('pauseRun', { runId: run.id })).toMatchObject({ ok: true, value: { requested: true, run: { status: 'paused' } } });
    expect(await call('cancelRun', { runId: run.id })).toMatchObject({ ok: true, value: { requested: true, run: { status: 'cancelled' } } });
    expect(await call('pauseRun', { runId: run.id })).toMatchObject({ ok: true, value: { requested: false, run: { status: 'cancelled' } } });
    expect(await call('resumeRun', { runId: run.id })).toMatchObject({ ok: false, error: { code: 'invalid-argument', message: expect.stringContaining('only a paused, interrupted or failed run can be resumed') } });
    expect(await call('getRun', { runId: 'nope' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('refuses a second import of a dataset that is being written, with the run that holds it', async () => {
    const ws = workspace.get();
    const folder = join(temp.dir, 'prompts');
    put(folder, 'prompts.txt', 'a\nb\n');
    const holder = ws.runs.add({ kind: 'importDataset', resource: `dataset:${join(folder, 'prompts.txt')}` });
    const second = await call('importDataset', { path: join(folder, 'prompts.txt') });
    expect(second).toMatchObject({ ok: false, error: { code: 'busy', message: expect.stringContaining(`is being written by run ${holder.id.slice(0, 8)} (importDataset, pending)`) } });
    ws.runs.request(holder.id, 'cancel');
  });
});
