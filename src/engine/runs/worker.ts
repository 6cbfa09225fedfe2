// Executes one run inside its worker process: claims the pending run (so two workers never run it),
// keeps a heartbeat and polls the control request every second, hands the kind a RunContext, and
// records the end exactly once: completed with the result, paused, cancelled, or failed with the
// error value. Metric points are buffered and written with the heartbeat and at the end; progress is
// written at most every 200 ms, and a report held back by that limit is written with the next
// heartbeat, checkpoint or end, so a stopped run never shows an older step than its metrics.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { toErrorInfo } from '../../shared/result';
import { EngineError } from '../core/errors';
import type { JobProgress } from '../jobs/job';
import type { MetricSample } from '../store/repositories/metrics';
import type { RunRequest } from '../store/repositories/runs';
import type { Workspace } from '../store/workspace';
import { runKindOf } from './kinds';
import { RunPaused, type RunContext, type RunKind } from './run-kind';

export const HEARTBEAT_MS = 1000;
const PROGRESS_MS = 200;

export function checkpointDirOf(ws: Workspace, runId: string): string {
  return join(ws.dir, 'checkpoints', runId);
}

class RunControl {
  readonly cancel = new AbortController();
  readonly work = new AbortController();
  request: RunRequest | null = null;

  constructor(private readonly pauseAborts: boolean) {}

  apply(request: RunRequest | null): void {
    if (!request || this.request === 'cancel') return;
    this.request = request;
    if (request === 'cancel') this.cancel.abort();
    if (request === 'cancel' || this.pauseAborts) this.work.abort();
  }
}

/** Runs `runId` to its end in this process; false when another worker already took it. */
export async function executeRun(ws: Workspace, runId: string, pid = process.pid, kindOf: (kind: string) => RunKind = runKindOf): Promise<boolean> {
  const record = ws.runs.require(runId);
  const kind = kindOf(record.kind);
  if (!ws.runs.claim(runId, pid)) return false;
  const control = new RunControl(kind.pause === 'abort');
  const metrics: MetricSample[] = [];
  const flushMetrics = (): void => {
    if (metrics.length > 0) ws.metrics.record(runId, metrics.splice(0));
  };
  let lastProgress = 0;
  let heldProgress: JobProgress | null = null;
  const writeProgress = (p: JobProgress): void => {
    lastProgress = Date.now();
    heldProgress = null;
    ws.runs.progress(runId, p.done, p.total, p.detail ?? '');
  };
  const flushProgress = (): void => {
    if (heldProgress) writeProgress(heldProgress);
  };
  const beat = (): void => {
    control.apply(ws.runs.heartbeat(runId, pid));
    flushMetrics();
    flushProgress();
  };
  const timer = setInterval(beat, HEARTBEAT_MS);
  const dir = checkpointDirOf(ws, runId);
  mkdirSync(dir, { recursive: true });
  const ctx: RunContext<unknown> = {
    run: ws.runs.require(runId),
    config: kind.configSchema.parse(record.config),
    workspace: ws,
    signal: control.work.signal,
    pauseRequested: () => control.request === 'pause',
    pausePoint: () => {
      if (control.request === 'pause') throw new RunPaused();
    },
    progress: (p: JobProgress) => {
      if (Date.now() - lastProgress < PROGRESS_MS && p.done < p.total) heldProgress = p;
      else writeProgress(p);
    },
    metric: (step, name, value) => {
      metrics.push({ step, name, value, wallTime: Date.now() / 1000 });
    },
    checkpointDir: dir,
    lastCheckpoint: () => ws.runs.require(runId).checkpoint,
    saveCheckpoint: (state) => {
      flushMetrics();
      flushProgress();
      ws.runs.saveCheckpoint(runId, state);
    },
  };
  try {
    const result = await kind.run(ctx);
    clearInterval(timer);
    flushMetrics();
    flushProgress();
    ws.runs.finish(runId, 'completed', { result: result ?? null });
  } catch (error) {
    clearInterval(timer);
    flushMetrics();
    flushProgress();
    control.apply(ws.runs.heartbeat(runId, pid));
    const stopped = error instanceof EngineError && error.code === 'cancelled';
    if (stopped && control.request === 'cancel') ws.runs.finish(runId, 'cancelled', { error: { ...toErrorInfo(error) } });
    else if ((stopped && control.request === 'pause') || error instanceof RunPaused) ws.runs.finish(runId, 'paused', {});
    else ws.runs.finish(runId, 'failed', { error: { ...toErrorInfo(error) } });
    if (!stopped) throw error;
  }
  return true;
}
