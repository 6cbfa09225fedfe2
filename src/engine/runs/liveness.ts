// Notices dead workers, from any reader (CLI, studio host, another worker): an active run whose
// worker process no longer exists, or whose heartbeat is older than STALE_MS (a hung or vanished
// machine), becomes interrupted (or cancelled, if a cancel was pending) and can be resumed. A run
// executed in its starting process (the demo) has a pid and no heartbeat: only its pid is checked.
import { processExists } from '../core/process-exists';
import type { Run } from '../store/repositories/runs';
import type { Workspace } from '../store/workspace';

/** A heartbeat this old means the worker is gone even if its pid exists (reused, or another host). */
export const STALE_MS = 30_000;
/** A pending run without a worker this long after its last change: its worker never started. */
const START_GRACE_MS = 60_000;

function isDead(run: Run, now: number): boolean {
  if (run.pid === null) return run.status !== 'pending' || now - run.updatedAt > START_GRACE_MS;
  if (!processExists(run.pid)) return true;
  return run.heartbeatAt !== null && now - run.heartbeatAt > STALE_MS;
}

/** Marks every active run whose worker is dead; returns the ids it marked. */
export function markDeadWorkers(ws: Workspace, now = Date.now()): string[] {
  const marked: string[] = [];
  for (const run of ws.runs.active()) {
    if (isDead(run, now) && ws.runs.markDead(run.id, run.pid)) marked.push(run.id);
  }
  return marked;
}
