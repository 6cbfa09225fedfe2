// Metric series: (run, name, step) -> value. Writing a step again replaces it, so a run resumed
// from a checkpoint rewrites the steps it repeats instead of duplicating them; nothing is lost.
import type { Database } from 'better-sqlite3';

export interface MetricPoint {
  readonly step: number;
  readonly value: number;
  readonly wallTime: number;
}

export interface MetricSample extends MetricPoint {
  readonly name: string;
}

export class MetricRepository {
  constructor(private readonly db: Database) {}

  /** Appends (or replaces) many points in one transaction. */
  record(runId: string, samples: readonly MetricSample[]): void {
    const insert = this.db.prepare(
      'INSERT OR REPLACE INTO metric_series (run_id, name, step, value, wall_time) VALUES (?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const s of samples) insert.run(runId, s.name, s.step, s.value, s.wallTime);
    })();
  }

  series(runId: string, name: string, fromStep = 0): MetricPoint[] {
    return this.db
      .prepare('SELECT step, value, wall_time AS wallTime FROM metric_series WHERE run_id = ? AND name = ? AND step >= ? ORDER BY step')
      .all(runId, name, fromStep) as MetricPoint[];
  }

  names(runId: string): string[] {
    const rows = this.db.prepare('SELECT DISTINCT name FROM metric_series WHERE run_id = ? ORDER BY name').all(runId) as { name: string }[];
    return rows.map((r) => r.name);
  }

  /** Drops points after `step` (used when resuming from an older checkpoint). */
  truncateAfter(runId: string, step: number): number {
    return this.db.prepare('DELETE FROM metric_series WHERE run_id = ? AND step > ?').run(runId, step).changes;
  }
}
