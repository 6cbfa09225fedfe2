// Per-code sample images of pruning runs (migration 7): which step, code, fixed prompt and seed each
// PNG under the workspace's samples folder was generated with. A step's samples are written in one
// transaction and a rewrite (a resumed run repeating a step) replaces its rows.
import type { Database } from 'better-sqlite3';

export interface RunSample {
  readonly step: number;
  readonly code: number;
  readonly promptIndex: number;
  readonly prompt: string;
  readonly seed: number;
  /** Relative to the workspace folder. */
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

export class SampleRepository {
  constructor(private readonly db: Database) {}

  /** Records (or replaces) samples of `runId`, in one transaction. */
  write(runId: string, samples: readonly RunSample[]): void {
    const insert = this.db.prepare(`INSERT OR REPLACE INTO run_samples (run_id, step, code, prompt_index, prompt, seed, path, sha256, bytes, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const s of samples) insert.run(runId, s.step, s.code, s.promptIndex, s.prompt, s.seed, s.path, s.sha256, s.bytes, now);
    })();
  }

  /** Every sample of a run by step, code, then prompt. */
  list(runId: string): RunSample[] {
    return this.db
      .prepare(`SELECT step, code, prompt_index AS promptIndex, prompt, seed, path, sha256, bytes FROM run_samples
        WHERE run_id = ? ORDER BY step, code, prompt_index`)
      .all(runId) as RunSample[];
  }

  /** The sample stored at `path` of `runId`, if any (serving an image checks it belongs to the run). */
  byPath(runId: string, path: string): RunSample | undefined {
    return this.db
      .prepare('SELECT step, code, prompt_index AS promptIndex, prompt, seed, path, sha256, bytes FROM run_samples WHERE run_id = ? AND path = ?')
      .get(runId, path) as RunSample | undefined;
  }
}
