// Brings runs to the studio live, whoever started them (this studio, another one, `aptp` in a
// terminal): polls the workspace database for changed runs, notices dead workers, and turns each
// change into events: `runChanged` for every run, and for runs of a studio job kind the job
// lifecycle (`jobStarted`, `jobProgress`, exactly one `jobFinished`), so a view follows an import
// run the same way it follows a generation.
import type { ErrorInfo } from '../../shared/result';
import type { StudioEvent } from '../../shared/studio-api';
import { isStudioJobKind, studioJobResults, type StudioJobKind } from '../../shared/studio-jobs';
import { markDeadWorkers } from '../runs/liveness';
import { isRunActive } from '../runs/watch';
import type { Run } from '../store/repositories/runs';
import type { Workspace } from '../store/workspace';
import { runSummary } from './run-service';

export const RUN_POLL_MS = 250;

function endOf(kind: StudioJobKind, run: Run): { ok: true; value: unknown } | { ok: false; error: ErrorInfo } {
  if (run.status === 'completed') {
    const value = studioJobResults[kind].safeParse(run.result);
    if (value.success) return { ok: true, value: value.data };
    return { ok: false, error: { code: 'invalid-response', message: `Run ${run.id.slice(0, 8)} finished with a result this studio cannot read.`, details: { runId: run.id } } };
  }
  if (run.status === 'cancelled' || run.status === 'paused') {
    return { ok: false, error: { code: 'cancelled', message: `The run was ${run.status}; its finished steps are kept${run.status === 'paused' ? ' and resuming continues it' : ''}.`, details: { runId: run.id, status: run.status } } };
  }
  if (run.status === 'interrupted') {
    return { ok: false, error: { code: 'interrupted', message: 'The run\'s worker process stopped without finishing; resume the run to continue it.', details: { runId: run.id } } };
  }
  return { ok: false, error: runSummary(run).error ?? { code: 'failed', message: 'The run failed.', details: { runId: run.id } } };
}

export class RunWatcher {
  readonly #seen = new Map<string, number>();
  readonly #live = new Set<string>();
  readonly #since = Date.now();
  #cursor = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly workspace: () => Workspace,
    private readonly emit: (event: StudioEvent) => void,
  ) {}

  start(intervalMs = RUN_POLL_MS): void {
    this.#timer ??= setInterval(() => this.tick(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One poll; errors (a workspace that cannot be opened) wait for the next. */
  tick(): void {
    let ws: Workspace;
    try {
      ws = this.workspace();
      markDeadWorkers(ws);
    } catch {
      return;
    }
    for (const run of ws.runs.changedSince(this.#cursor - 1)) {
      this.#cursor = Math.max(this.#cursor, run.updatedAt);
      if (this.#seen.get(run.id) === run.updatedAt) continue;
      this.#seen.set(run.id, run.updatedAt);
      this.#report(run);
    }
  }

  #report(run: Run): void {
    const active = isRunActive(run);
    if (!active && run.updatedAt < this.#since) return;
    this.emit({ event: 'runChanged', payload: runSummary(run) });
    if (!isStudioJobKind(run.kind)) return;
    const kind = run.kind;
    const progress = { event: 'jobProgress', payload: { jobId: run.id, kind, done: run.progress.done, total: run.progress.total, detail: run.progress.detail, metrics: {} } } as const;
    if (active) {
      if (!this.#live.has(run.id)) this.emit({ event: 'jobStarted', payload: { jobId: run.id, kind } });
      this.#live.add(run.id);
      this.emit(progress);
      return;
    }
    // A run's last progress and its end often land between two polls: send the recorded last
    // progress first, so a front end never ends on a stale count.
    if (this.#live.has(run.id) && run.progress.total > 0) this.emit(progress);
    this.#live.delete(run.id);
    this.emit({ event: 'jobFinished', payload: { jobId: run.id, kind, result: endOf(kind, run) } } as StudioEvent);
  }
}
