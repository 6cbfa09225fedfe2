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

export interface DecimatedPoint {
  readonly step: number;
  readonly value: number;
  readonly min: number;
  readonly max: number;
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

  /**
   * One series between two steps with at most `maxPoints` points: every point when there are few
   * enough, else buckets of consecutive steps (first step, mean, min, max), computed in SQLite
   * over the primary key so 100k steps stay cheap.
   */
  decimated(runId: string, name: string, fromStep: number, toStep: number, maxPoints: number): { points: DecimatedPoint[]; total: number } {
    const where = 'WHERE run_id = ? AND name = ? AND step >= ? AND step <= ?';
    const args = [runId, name, fromStep, toStep] as const;
    const span = this.db.prepare(`SELECT count(*) AS n, min(step) AS lo, max(step) AS hi FROM metric_series ${where}`).get(...args) as { n: number; lo: number | null; hi: number | null };
    if (span.n <= maxPoints || span.lo === null || span.hi === null) {
      const rows = this.db.prepare(`SELECT step, value, value AS min, value AS max FROM metric_series ${where} ORDER BY step`).all(...args) as DecimatedPoint[];
      return { points: rows, total: span.n };
    }
    const width = Math.ceil((span.hi - span.lo + 1) / maxPoints);
    const points = this.db
      .prepare(`SELECT min(step) AS step, avg(value) AS value, min(value) AS min, max(value) AS max FROM metric_series ${where} GROUP BY (step - CAST(? AS INTEGER)) / CAST(? AS INTEGER) ORDER BY step`)
      .all(...args, span.lo, width) as DecimatedPoint[];
    return { points, total: span.n };
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
