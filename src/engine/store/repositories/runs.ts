// Runs: one long job (import, prepare, prune, fine-tune...) with its status life cycle, the worker
// process that executes it (pid, heartbeat), its progress, the control request a remote writes and
// the worker polls, its result and last checkpoint state. Status moves are conditional updates, so
// a remote and the worker never overwrite each other's decision.
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { EngineError } from '../../core/errors';
import { ACTIVE_RUN_STATUSES, RUN_STATUSES } from '../migrations/003-runs-as-processes';

export type RunStatus = (typeof RUN_STATUSES)[number];
export type RunRequest = 'pause' | 'cancel';
export { ACTIVE_RUN_STATUSES, RUN_STATUSES };

/** Statuses after which no worker runs: the run either ended or waits for `resume`. */
export const FINISHED_RUN_STATUSES: ReadonlySet<RunStatus> = new Set(['completed', 'failed', 'cancelled']);
/** Statuses from which `resume` starts a new worker. */
export const RESUMABLE_RUN_STATUSES: ReadonlySet<RunStatus> = new Set(['paused', 'interrupted', 'failed']);

export interface Run {
  readonly id: string;
  readonly projectId: string | null;
  readonly kind: string;
  readonly status: RunStatus;
  readonly config: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly error: Readonly<Record<string, unknown>> | null;
  readonly resource: string | null;
  readonly pid: number | null;
  /** Epoch milliseconds of the worker's last sign of life. */
  readonly heartbeatAt: number | null;
  readonly progress: { readonly done: number; readonly total: number; readonly detail: string };
  readonly requested: RunRequest | null;
  readonly result: unknown;
  readonly checkpoint: unknown;
  /** Workers started for this run so far (1 + resumes). */
  readonly attempts: number;
  /** Epoch milliseconds of the last change of status, progress, request or checkpoint. */
  readonly updatedAt: number;
}

interface RunRow {
  id: string; project_id: string | null; kind: string; status: RunStatus; config_json: string;
  created_at: string; started_at: string | null; finished_at: string | null; error_json: string | null;
  resource: string | null; pid: number | null; heartbeat_at: number | null;
  progress_done: number; progress_total: number; progress_detail: string; requested: RunRequest | null;
  result_json: string | null; checkpoint_json: string | null; attempts: number; updated_at: number;
}

const parsed = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

const fromRow = (r: RunRow): Run => ({
  id: r.id, projectId: r.project_id, kind: r.kind, status: r.status, config: JSON.parse(r.config_json),
  createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at,
  error: parsed(r.error_json) as Run['error'],
  resource: r.resource, pid: r.pid, heartbeatAt: r.heartbeat_at,
  progress: { done: r.progress_done, total: r.progress_total, detail: r.progress_detail },
  requested: r.requested, result: parsed(r.result_json), checkpoint: parsed(r.checkpoint_json), attempts: r.attempts, updatedAt: r.updated_at,
});

export interface NewRun {
  readonly projectId?: string | null;
  readonly kind: string;
  readonly config?: Record<string, unknown>;
  /** What this run writes exclusively ('dataset:/abs/path'); a second active run on it is refused. */
  readonly resource?: string | null;
}

const ACTIVE_SQL = `(${ACTIVE_RUN_STATUSES.map((s) => `'${s}'`).join(',')})`;

export class RunRepository {
  constructor(private readonly db: Database) {}

  /** Adds a pending run, or throws 'busy' when another active run holds its resource. */
  add(run: NewRun): Run {
    const id = randomUUID();
    try {
      this.db
        .prepare("INSERT INTO runs (id, project_id, kind, status, config_json, created_at, resource, updated_at) VALUES (?, ?, ?, 'pending', ?, ?, ?, ?)")
        .run(id, run.projectId ?? null, run.kind, JSON.stringify(run.config ?? {}), new Date().toISOString(), run.resource ?? null, Date.now());
    } catch (error) {
      if (run.resource && /UNIQUE/.test((error as Error).message)) throw this.#busy(run.resource);
      throw error;
    }
    return this.require(id);
  }

  /** A project's run (the demo), created pending. */
  create(projectId: string, kind: string, config: Record<string, unknown> = {}): Run {
    return this.add({ projectId, kind, config });
  }

  get(id: string): Run | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row && fromRow(row);
  }

  require(id: string): Run {
    const run = this.get(id);
    if (!run) throw new EngineError('not-found', `No run with id ${id} in this workspace; \`aptp runs list\` shows them.`, { runId: id });
    return run;
  }

  /** The run whose id starts with `prefix`; an unknown or ambiguous prefix is an error. */
  byPrefix(prefix: string): Run {
    const rows = this.db.prepare("SELECT * FROM runs WHERE id LIKE ? ESCAPE '\\' ORDER BY created_at LIMIT 6").all(`${prefix.replace(/[%_\\]/g, '\\$&')}%`) as RunRow[];
    if (rows.length === 0) throw new EngineError('not-found', `No run id starts with '${prefix}'; \`aptp runs list\` shows them.`, { runId: prefix });
    if (rows.length > 1) {
      throw new EngineError('invalid-argument', `'${prefix}' matches ${rows.length > 5 ? 'more than 5' : rows.length} runs (${rows.slice(0, 5).map((r) => r.id.slice(0, 12)).join(', ')}); give more of the id.`, { runId: prefix });
    }
    return fromRow(rows[0]!);
  }

  listForProject(projectId: string): Run[] {
    const rows = this.db.prepare('SELECT * FROM runs WHERE project_id = ? ORDER BY created_at, id').all(projectId) as RunRow[];
    return rows.map(fromRow);
  }

  /** The newest runs first. */
  list(limit = 100): Run[] {
    return (this.db.prepare('SELECT * FROM runs ORDER BY created_at DESC, id LIMIT ?').all(limit) as RunRow[]).map(fromRow);
  }

  /** Runs that have or are about to have a worker. */
  active(): Run[] {
    return (this.db.prepare(`SELECT * FROM runs WHERE status IN ${ACTIVE_SQL} ORDER BY created_at`).all() as RunRow[]).map(fromRow);
  }

  /** Runs changed since `sinceMs` (epoch ms), for pollers. */
  changedSince(sinceMs: number): Run[] {
    return (this.db.prepare('SELECT * FROM runs WHERE updated_at > ? ORDER BY updated_at').all(sinceMs) as RunRow[]).map(fromRow);
  }

  /**
   * Moves a run executed in this process (not by a worker: the demo) to `status`; sets started and
   * finished times and records an error value for 'failed'. 'running' records this process's pid
   * (no heartbeat), so readers notice the run was interrupted if this process dies.
   */
  setStatus(id: string, status: RunStatus, error?: Record<string, unknown>): Run {
    const now = new Date().toISOString();
    this.db
      .prepare(
        `UPDATE runs SET status = ?, updated_at = ?,
           started_at = CASE WHEN ? = 'running' AND started_at IS NULL THEN ? ELSE started_at END,
           finished_at = CASE WHEN ? THEN ? ELSE NULL END,
           pid = CASE WHEN ? = 'running' THEN ? ELSE NULL END,
           error_json = ?
         WHERE id = ?`,
      )
      .run(status, Date.now(), status, now, FINISHED_RUN_STATUSES.has(status) ? 1 : 0, now, status, process.pid, error ? JSON.stringify(error) : null, id);
    return this.require(id);
  }

  /** The worker takes a pending run: true when this worker owns it now. */
  claim(id: string, pid: number): boolean {
    const now = Date.now();
    return this.db
      .prepare(
        `UPDATE runs SET status = 'running', pid = ?, heartbeat_at = ?, updated_at = ?, attempts = attempts + 1, error_json = NULL,
           started_at = coalesce(started_at, ?) WHERE id = ? AND status = 'pending'`,
      )
      .run(pid, now, now, new Date().toISOString(), id).changes === 1;
  }

  /** The worker's sign of life; returns the pending control request (null when none). */
  heartbeat(id: string, pid: number): RunRequest | null {
    const now = Date.now();
    this.db.prepare('UPDATE runs SET heartbeat_at = ? WHERE id = ? AND pid = ?').run(now, id, pid);
    const row = this.db.prepare('SELECT requested FROM runs WHERE id = ?').get(id) as { requested: RunRequest | null } | undefined;
    return row?.requested ?? null;
  }

  progress(id: string, done: number, total: number, detail: string): void {
    this.db
      .prepare('UPDATE runs SET progress_done = ?, progress_total = ?, progress_detail = ?, heartbeat_at = ?, updated_at = ? WHERE id = ?')
      .run(Math.max(0, Math.floor(done)), Math.max(0, Math.floor(total)), detail.slice(0, 2000), Date.now(), Date.now(), id);
  }

  saveCheckpoint(id: string, state: unknown): void {
    this.db.prepare('UPDATE runs SET checkpoint_json = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(state), Date.now(), id);
  }

  /** The worker's last word: the final status with its result or error; the pid is cleared. */
  finish(id: string, status: 'completed' | 'failed' | 'cancelled' | 'paused', outcome: { result?: unknown; error?: Record<string, unknown> }): void {
    const now = new Date().toISOString();
    this.db
      .prepare(
        `UPDATE runs SET status = ?, result_json = ?, error_json = ?, requested = NULL, pid = NULL, updated_at = ?,
           finished_at = CASE WHEN ? THEN ? ELSE NULL END WHERE id = ?`,
      )
      .run(status, outcome.result === undefined ? null : JSON.stringify(outcome.result), outcome.error ? JSON.stringify(outcome.error) : null, Date.now(), FINISHED_RUN_STATUSES.has(status) ? 1 : 0, now, id);
  }

  /**
   * A remote asks a run to pause or cancel. A running run moves to pausing/cancelling (its worker
   * polls the request); a run without a worker (pending, paused, interrupted) is cancelled or
   * paused at once. Returns the run after the change; false when the run is past being asked.
   */
  request(id: string, request: RunRequest): boolean {
    const working = request === 'pause' ? 'pausing' : 'cancelling';
    const idle = request === 'pause' ? 'paused' : 'cancelled';
    const now = Date.now();
    return this.db.transaction(() => {
      const live = this.db.prepare(`UPDATE runs SET status = ?, requested = ?, updated_at = ? WHERE id = ? AND status IN ('running','pausing')`).run(working, request, now, id);
      if (live.changes === 1) return true;
      const fromIdle = request === 'cancel' ? "('pending','paused','interrupted')" : "('pending')";
      const idleRow = this.db
        .prepare(`UPDATE runs SET status = ?, requested = NULL, updated_at = ?, finished_at = CASE WHEN ? THEN ? ELSE finished_at END WHERE id = ? AND status IN ${fromIdle}`)
        .run(idle, now, idle === 'cancelled' ? 1 : 0, new Date().toISOString(), id);
      return idleRow.changes === 1;
    })();
  }

  /** Marks a run whose worker is gone: cancelling becomes cancelled, anything else interrupted. */
  markDead(id: string, pid: number | null): boolean {
    const now = new Date().toISOString();
    return this.db
      .prepare(
        `UPDATE runs SET status = CASE WHEN status = 'cancelling' THEN 'cancelled' ELSE 'interrupted' END,
           finished_at = CASE WHEN status = 'cancelling' THEN ? ELSE finished_at END,
           requested = NULL, pid = NULL, updated_at = ?
         WHERE id = ? AND status IN ${ACTIVE_SQL} AND pid IS ?`,
      )
      .run(now, Date.now(), id, pid).changes === 1;
  }

  /** Makes a paused, interrupted or failed run pending again (for a new worker); 'busy' if its resource is taken. */
  reopen(id: string): Run {
    const run = this.require(id);
    if (!RESUMABLE_RUN_STATUSES.has(run.status)) {
      throw new EngineError('invalid-argument', `Run ${id.slice(0, 8)} is ${run.status}; only a paused, interrupted or failed run can be resumed.`, { runId: id, status: run.status });
    }
    try {
      const changed = this.db
        .prepare(`UPDATE runs SET status = 'pending', requested = NULL, pid = NULL, finished_at = NULL, updated_at = ? WHERE id = ? AND status = ?`)
        .run(Date.now(), id, run.status).changes;
      if (changed !== 1) throw new EngineError('busy', `Run ${id.slice(0, 8)} changed while resuming it; try again.`, { runId: id });
    } catch (error) {
      if (run.resource && /UNIQUE/.test((error as Error).message)) throw this.#busy(run.resource);
      throw error;
    }
    return this.require(id);
  }

  #busy(resource: string): EngineError {
    const holder = this.db.prepare(`SELECT id, kind, status FROM runs WHERE resource = ? AND status IN ${ACTIVE_SQL}`).get(resource) as
      | { id: string; kind: string; status: string }
      | undefined;
    const who = holder ? `run ${holder.id.slice(0, 8)} (${holder.kind}, ${holder.status})` : 'another run';
    return new EngineError('busy', `${resource.replace(/^[a-z]+:/, '')} is being written by ${who}; wait for it (\`aptp runs follow ${holder?.id.slice(0, 8) ?? ''}\`) or cancel it first.`, {
      resource,
      runId: holder?.id,
    });
  }
}
