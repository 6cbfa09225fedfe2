// A world training (`world build`, `world refine`) as a run of the workspace's 'world' project:
// the run row and its status, every step's metrics in the workspace database, one progress bar per
// stage, and Ctrl-C cancelling into a checkpoint. The same command again resumes from the checkpoint
// and continues the same run row (one stopped by Ctrl-C, a failure or kill -9, with the same
// configuration and checkpoint folder); the steps it repeats after the checkpoint overwrite their
// metrics with the same values, so the row ends with each step once.
import { isDeepStrictEqual } from 'node:util';
import { isEngineError } from '../../engine/core/errors';
import { markDeadWorkers } from '../../engine/runs/liveness';
import type { Run, RunStatus } from '../../engine/store/repositories/runs';
import type { Workspace } from '../../engine/store/workspace';
import type { LoopResult, TrainingContext } from '../../engine/train/loop';
import { progressBar } from '../progress';

/** One stage's line: its steps, and this call's last loss and speed when it trained (a finished stage's checkpoint only loads). */
export function stageLine(r: LoopResult, digits: number): string {
  if (r.stepsRun === 0) return `${r.steps} steps (all from the checkpoint; none this call)`;
  return `${r.steps} steps (${r.stepsRun} this call), loss ${r.lastLoss.toFixed(digits)}, ${r.imagesPerSecond.toFixed(1)} images/s`;
}

export function withSignal<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  return work(abort.signal).finally(() => process.off('SIGINT', onSigint));
}

/** Statuses of a world run that the same command continues: its process stopped before the end. */
const CONTINUED: ReadonlySet<RunStatus> = new Set(['cancelled', 'failed', 'interrupted']);

/** The newest stopped run of `kind` with exactly `config` (checkpoint folder included), if any. */
function stoppedRun(ws: Workspace, projectId: string, kind: string, config: Record<string, unknown>): Run | undefined {
  markDeadWorkers(ws);
  return ws.runs.listForProject(projectId).filter((r) => r.kind === kind && CONTINUED.has(r.status) && isDeepStrictEqual(r.config, config)).at(-1);
}

/** Runs `work` as a run of kind `kind` recorded in `ws`; returns its result and the run id. */
export async function worldRun<T>(ws: Workspace, kind: string, config: Record<string, unknown>, checkpointDir: string, work: (ctx: TrainingContext) => Promise<T>): Promise<{ result: T; runId: string }> {
  const project = ws.projects.list().find((p) => p.name === 'world') ?? ws.projects.create('world', { kind: 'built-in world' });
  const recorded = { ...config, checkpointDir };
  const run = stoppedRun(ws, project.id, kind, JSON.parse(JSON.stringify(recorded)) as Record<string, unknown>) ?? ws.runs.create(project.id, kind, recorded);
  ws.runs.setStatus(run.id, 'running');
  let bar: ReturnType<typeof progressBar> | undefined;
  let stage = '';
  try {
    const result = await withSignal((signal) => work({
      signal, checkpointDir,
      metric: (name, step, value) => ws.metrics.record(run.id, [{ name, step, value, wallTime: Date.now() / 1000 }]),
      progress: (p) => {
        const now = (p.detail ?? '').split(' ')[0] ?? '';
        if (now !== stage) { bar?.finish(); stage = now; bar = progressBar(stage, p.total); }
        bar?.update(p.done, p.detail);
      },
    }));
    bar?.finish();
    ws.runs.setStatus(run.id, 'completed');
    return { result, runId: run.id };
  } catch (error) {
    process.stderr.write('\n');
    const cancelled = isEngineError(error) && error.code === 'cancelled';
    ws.runs.setStatus(run.id, cancelled ? 'cancelled' : 'failed', { message: (error as Error).message });
    if (cancelled) process.stderr.write(`stopped; run the same command again to resume from ${checkpointDir}\n`);
    throw error;
  }
}
