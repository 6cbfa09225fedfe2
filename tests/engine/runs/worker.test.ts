// The worker's record of a run's end: progress reports closer together than the 200 ms limit are
// held back, and the last one held back is written when the run stops, so a paused or completed
// run never shows an older step than its metric series (the Train view's e2e test once read
// 'step 7' beside 8 recorded losses).
import { join } from 'node:path';
import { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import { defineRunKind, RunPaused, type RunKind } from '../../../src/engine/runs/run-kind';
import { executeRun } from '../../../src/engine/runs/worker';
import { openWorkspace } from '../../../src/engine/store/workspace';
import { tempDir } from '../store/helpers';

const temp = tempDir('aptp-worker-');
const ws = openWorkspace(join(temp.dir, 'ws'));
afterAll(() => {
  ws.close();
  temp.cleanup();
});

/** A kind that takes `steps` quick steps, records a metric and reports progress after each, and asks to pause after `pauseAfter`. */
function quickKind(steps: number, pauseAfter: number | null): RunKind {
  return defineRunKind({
    kind: 'quick-test',
    configSchema: z.object({}).passthrough(),
    pause: 'cooperative',
    async run(ctx) {
      for (let step = 0; step < steps; step++) {
        ctx.metric(step, 'loss', 1 / (step + 1));
        ctx.progress({ done: step + 1, total: steps, detail: `step ${step + 1}` });
        if (pauseAfter !== null && step + 1 === pauseAfter) ws.runs.request(ctx.run.id, 'pause');
        if (ws.runs.require(ctx.run.id).requested === 'pause') {
          ctx.saveCheckpoint({ step: step + 1 });
          throw new RunPaused();
        }
      }
      return { steps };
    },
  }) as unknown as RunKind;
}

describe('executeRun', () => {
  it('writes the last progress report held back by the rate limit when the run pauses', async () => {
    const run = ws.runs.add({ kind: 'quick-test', config: {} });
    expect(await executeRun(ws, run.id, process.pid, () => quickKind(20, 8))).toBe(true);
    const after = ws.runs.require(run.id);
    expect(after.status).toBe('paused');
    expect(after.progress).toEqual({ done: 8, total: 20, detail: 'step 8' });
    expect(ws.metrics.series(run.id, 'loss').length).toBe(8);
  });

  it('writes every report that is more than the rate limit apart, and the final one', async () => {
    const run = ws.runs.add({ kind: 'quick-test', config: {} });
    expect(await executeRun(ws, run.id, process.pid, () => quickKind(5, null))).toBe(true);
    const after = ws.runs.require(run.id);
    expect(after.status).toBe('completed');
    expect(after.progress).toEqual({ done: 5, total: 5, detail: 'step 5' });
  });
});
