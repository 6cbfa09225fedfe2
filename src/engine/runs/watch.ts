// Following a run from any process: polls its record (noticing a dead worker) and reports every
// change until the run stops (completed, failed, cancelled, paused or interrupted).
import type { Run } from '../store/repositories/runs';
import { ACTIVE_RUN_STATUSES } from '../store/repositories/runs';
import type { Workspace } from '../store/workspace';
import { readRun } from './launcher';

const ACTIVE: ReadonlySet<string> = new Set(ACTIVE_RUN_STATUSES);

export function isRunActive(run: Pick<Run, 'status'>): boolean {
  return ACTIVE.has(run.status);
}

/** Calls `onChange` with the run whenever it changes; resolves with the run once it stopped. */
export async function followRun(ws: Workspace, runId: string, onChange: (run: Run) => void, intervalMs = 250): Promise<Run> {
  let last = '';
  for (;;) {
    const run = readRun(ws, runId);
    const key = `${run.status}|${run.progress.done}|${run.progress.total}|${run.progress.detail}`;
    if (key !== last) {
      last = key;
      onChange(run);
    }
    if (!isRunActive(run)) return run;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
