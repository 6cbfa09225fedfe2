// Runs: one job (prune, finetune, export...) of a project, with its status life cycle.
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { EngineError } from '../../core/errors';

export type RunStatus = 'pending' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';

export interface Run {
  readonly id: string;
  readonly projectId: string;
  readonly kind: string;
  readonly status: RunStatus;
  readonly config: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly error: Readonly<Record<string, unknown>> | null;
}

interface RunRow {
  id: string; project_id: string; kind: string; status: RunStatus; config_json: string;
  created_at: string; started_at: string | null; finished_at: string | null; error_json: string | null;
}

const fromRow = (r: RunRow): Run => ({
  id: r.id, projectId: r.project_id, kind: r.kind, status: r.status, config: JSON.parse(r.config_json),
  createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at,
  error: r.error_json === null ? null : JSON.parse(r.error_json),
});

const FINISHED: ReadonlySet<RunStatus> = new Set(['completed', 'failed', 'cancelled']);

export class RunRepository {
  constructor(private readonly db: Database) {}

  create(projectId: string, kind: string, config: Record<string, unknown> = {}): Run {
    const id = randomUUID();
    this.db
      .prepare("INSERT INTO runs (id, project_id, kind, status, config_json, created_at) VALUES (?, ?, ?, 'pending', ?, ?)")
      .run(id, projectId, kind, JSON.stringify(config), new Date().toISOString());
    return this.require(id);
  }

  get(id: string): Run | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    return row && fromRow(row);
  }

  require(id: string): Run {
    const run = this.get(id);
    if (!run) throw new EngineError('not-found', `No run with id ${id} in this workspace.`, { runId: id });
    return run;
  }

  listForProject(projectId: string): Run[] {
    const rows = this.db.prepare('SELECT * FROM runs WHERE project_id = ? ORDER BY created_at, id').all(projectId) as RunRow[];
    return rows.map(fromRow);
  }

  /** Moves a run to `status`; sets started/finished times; records an error value for 'failed'. */
  setStatus(id: string, status: RunStatus, error?: Record<string, unknown>): Run {
    const now = new Date().toISOString();
    this.db
      .prepare(
        `UPDATE runs SET status = ?,
           started_at = CASE WHEN ? = 'running' AND started_at IS NULL THEN ? ELSE started_at END,
           finished_at = CASE WHEN ? THEN ? ELSE NULL END,
           error_json = ?
         WHERE id = ?`,
      )
      .run(status, status, now, FINISHED.has(status) ? 1 : 0, now, error ? JSON.stringify(error) : null, id);
    return this.require(id);
  }
}
