// Generations: one row per image the studio made (migration 006), newest first. The PNG lives in
// the workspace under `file` (relative); this repository only keeps the record.
import type { Database } from 'better-sqlite3';

export interface GenerationRow {
  readonly id: string;
  readonly createdAt: string;
  readonly model: string;
  /** How the model was opened (prediction type, tokenizer, config overrides), as JSON-able values. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly prompt: string;
  readonly negativePrompt: string;
  readonly seed: number;
  readonly steps: number;
  readonly guidance: number;
  readonly sampler: string;
  readonly width: number;
  readonly height: number;
  readonly elapsedMs: number;
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
}

interface Row {
  id: string; created_at: string; model: string; open_options: string; prompt: string; negative_prompt: string; seed: number; steps: number;
  guidance: number; sampler: string; width: number; height: number; elapsed_ms: number; file: string; bytes: number; sha256: string;
}

const fromRow = (r: Row): GenerationRow => ({
  id: r.id, createdAt: r.created_at, model: r.model, options: JSON.parse(r.open_options) as Record<string, unknown>, prompt: r.prompt,
  negativePrompt: r.negative_prompt, seed: r.seed, steps: r.steps, guidance: r.guidance, sampler: r.sampler, width: r.width, height: r.height,
  elapsedMs: r.elapsed_ms, file: r.file, bytes: r.bytes, sha256: r.sha256,
});

export class GenerationRepository {
  constructor(private readonly db: Database) {}

  add(g: GenerationRow): void {
    this.db
      .prepare(`INSERT INTO generations (id, created_at, model, open_options, prompt, negative_prompt, seed, steps, guidance, sampler, width, height, elapsed_ms, file, bytes, sha256)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(g.id, g.createdAt, g.model, JSON.stringify(g.options), g.prompt, g.negativePrompt, g.seed, g.steps, g.guidance, g.sampler, g.width, g.height, g.elapsedMs, g.file, g.bytes, g.sha256);
  }

  /** Newest first. */
  list(limit: number, offset = 0): GenerationRow[] {
    return (this.db.prepare('SELECT * FROM generations ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?').all(limit, offset) as Row[]).map(fromRow);
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM generations').get() as { n: number }).n;
  }

  get(id: string): GenerationRow | undefined {
    const row = this.db.prepare('SELECT * FROM generations WHERE id = ?').get(id) as Row | undefined;
    return row && fromRow(row);
  }

  /** False when there was no such row. */
  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM generations WHERE id = ?').run(id).changes > 0;
  }
}
