// A world training run continues its own row when the same command runs again after a stop: Ctrl-C
// (cancelled), a failure or kill -9 (its process gone while 'running') leave a row that the next call
// with the same configuration and checkpoint folder takes over, its repeated steps overwriting their
// metrics, so the row ends completed with every step once. Another configuration, a completed run or
// a run whose process is alive get a row of their own.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { worldRun } from '../../src/cli/commands/world-run';
import { EngineError } from '../../src/engine/core/errors';
import type { TrainingContext } from '../../src/engine/train/loop';
import { openWorkspace, type Workspace } from '../../src/engine/store/workspace';
import { tempDir } from '../engine/store/helpers';

let temp: ReturnType<typeof tempDir>;
let ws: Workspace;
beforeEach(() => {
  temp = tempDir('aptp-world-run-');
  ws = openWorkspace(join(temp.dir, 'ws'));
});
afterEach(() => {
  ws.close();
  temp.cleanup();
});

/** Records loss = step for steps `from`..`to`, then stops with `stop` (or finishes). */
const steps = (from: number, to: number, stop?: Error) => async (ctx: TrainingContext): Promise<number> => {
  for (let s = from; s <= to; s++) ctx.metric('loss', s, s);
  if (stop) throw stop;
  return to;
};
const cancelled = () => new EngineError('cancelled', 'stopped', {});
const losses = (runId: string) => ws.metrics.series(runId, 'loss').map((p) => p.step);

describe('world runs', () => {
  it('continue the row of a call stopped by Ctrl-C, a failure or kill -9', async () => {
    const dir = join(temp.dir, 'ckpt');
    const config = { steps: 10, seed: 0 };
    await expect(worldRun(ws, 'world-build', config, dir, steps(1, 4, cancelled()))).rejects.toThrow(/stopped/);
    const first = ws.runs.list().find((r) => r.kind === 'world-build')!;
    expect(first.status).toBe('cancelled');
    // resumed from a step-3 checkpoint: steps 4.. again, then a failure
    await expect(worldRun(ws, 'world-build', config, dir, steps(4, 6, new Error('disk full')))).rejects.toThrow(/disk full/);
    expect(ws.runs.require(first.id).status).toBe('failed');
    // what kill -9 of the next call leaves: step 7 recorded, the row running with a pid that is gone
    const gone = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
    ws.metrics.record(first.id, [{ name: 'loss', step: 7, value: 7, wallTime: 0 }]);
    ws.db.prepare("UPDATE runs SET status = 'running', pid = ? WHERE id = ?").run(gone, first.id);
    const { runId } = await worldRun(ws, 'world-build', config, dir, steps(6, 10));
    expect(runId).toBe(first.id);
    expect(ws.runs.require(runId).status).toBe('completed');
    expect(losses(runId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(ws.runs.list().filter((r) => r.kind === 'world-build')).toHaveLength(1);
  });

  it('start a row of their own after a completed run, with another configuration, or beside a live one', async () => {
    const dir = join(temp.dir, 'ckpt');
    const a = await worldRun(ws, 'world-build', { steps: 4 }, dir, steps(1, 4));
    const b = await worldRun(ws, 'world-build', { steps: 4 }, dir, steps(1, 4));
    expect(b.runId).not.toBe(a.runId);
    await expect(worldRun(ws, 'world-build', { steps: 4 }, dir, steps(1, 2, cancelled()))).rejects.toThrow(/stopped/);
    const c = await worldRun(ws, 'world-build', { steps: 8 }, dir, steps(1, 8));
    const d = await worldRun(ws, 'world-refine', { steps: 4 }, dir, steps(1, 4));
    const e = await worldRun(ws, 'world-build', { steps: 4 }, join(temp.dir, 'other'), steps(1, 4));
    const ids = [a, b, c, d, e].map((r) => r.runId);
    expect(new Set(ids).size).toBe(5);
    // a row whose process is alive (this one) is never taken over
    const stopped = ws.runs.list().find((r) => r.status === 'cancelled')!;
    ws.db.prepare("UPDATE runs SET status = 'running', pid = ? WHERE id = ?").run(process.pid, stopped.id);
    const f = await worldRun(ws, 'world-build', { steps: 4 }, dir, steps(1, 4));
    expect(f.runId).not.toBe(stopped.id);
    expect(ws.runs.require(stopped.id).status).toBe('running');
  });
});
