// Routing records (migration 4): a routed run's header and experts, its per-item assignments
// (expert, margin), and cached 2-D projections of a dataset's prompt embeddings. The stage-1 trainer
// writes runs, experts and assignments (`defineRun`, then `writeAssignments` as often as it likes:
// a rewrite replaces, never duplicates); the Routing view's handlers read them. Every write of many
// rows is one transaction.
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { EngineError } from '../../core/errors';

/** Kept / total of one kind of prunable unit in one UNet block. */
export interface KeptCount {
  readonly kept: number;
  readonly total: number;
}

/** One UNet block of an expert's architecture, against the base. */
export interface BlockArchitecture {
  readonly block: string;
  readonly resnetGroups: KeptCount;
  readonly heads: KeptCount;
  readonly ffGroups: KeptCount;
  /** ResNets / transformers removed whole by their depth gate. */
  readonly droppedUnits: readonly string[];
}

export interface RoutedExpert {
  readonly expert: number;
  readonly macs: number;
  /** Added to a prompt's score for this code before the argmax (aptp/router/code-bias.ts; 0: plain argmax). */
  readonly bias: number;
  readonly blocks: readonly BlockArchitecture[];
}

export interface RoutedRun {
  readonly runId: string;
  readonly datasetId: string;
  /** The prepared-cache model id of the prompt embeddings the router read. */
  readonly encoder: string;
  readonly baseMacs: number;
  readonly updatedAt: string;
}

export interface RoutedRunListing {
  readonly runId: string;
  readonly status: string;
  readonly datasetId: string;
  readonly datasetName: string;
  readonly experts: number;
  readonly assigned: number;
  readonly updatedAt: string;
}

export interface Assignment {
  readonly itemId: number;
  readonly expert: number;
  /** The assigned code's score minus the runner-up's (>= 0; 0 when K = 1). */
  readonly margin: number;
}

export interface AssignedPrompt extends Assignment {
  readonly caption: string;
}

export interface ProjectionRecord {
  readonly id: string;
  readonly datasetId: string;
  readonly encoder: string;
  readonly paramsJson: string;
  readonly inputHash: string;
  readonly points: number;
  readonly createdAt: string;
}

export interface ProjectedPoint {
  readonly itemId: number;
  readonly x: number;
  readonly y: number;
}

export interface RunDefinition {
  readonly runId: string;
  readonly datasetId: string;
  readonly encoder: string;
  readonly baseMacs: number;
  readonly experts: readonly RoutedExpert[];
}

interface ProjectionRow {
  id: string; dataset_id: string; encoder: string; params_json: string; input_hash: string; points: number; created_at: string;
}

const checkAssignment = (runId: string, a: Assignment): void => {
  if (!Number.isInteger(a.expert) || a.expert < 0 || !Number.isFinite(a.margin) || a.margin < 0) {
    throw new EngineError('invalid-argument', `Assignment of item ${a.itemId} in run ${runId} is not valid (expert ${a.expert}, margin ${a.margin}); experts are integers >= 0 and margins finite and >= 0.`, { runId, ...a });
  }
};

export class RoutingRepository {
  constructor(private readonly db: Database) {}

  /** Records (or replaces) a run's header and its experts, in one transaction. */
  defineRun(d: RunDefinition): void {
    const ids = new Set(d.experts.map((e) => e.expert));
    if (ids.size !== d.experts.length || d.experts.length === 0) {
      throw new EngineError('invalid-argument', `Run ${d.runId} must define each expert once (got ${d.experts.map((e) => e.expert).join(', ') || 'none'}).`, { runId: d.runId });
    }
    this.db.transaction(() => {
      this.db
        .prepare(`INSERT INTO routing_runs (run_id, dataset_id, encoder, base_macs, updated_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (run_id) DO UPDATE SET dataset_id = excluded.dataset_id, encoder = excluded.encoder, base_macs = excluded.base_macs, updated_at = excluded.updated_at`)
        .run(d.runId, d.datasetId, d.encoder, d.baseMacs, new Date().toISOString());
      this.db.prepare('DELETE FROM routing_experts WHERE run_id = ?').run(d.runId);
      const insert = this.db.prepare('INSERT INTO routing_experts (run_id, expert, macs, bias, arch_json) VALUES (?, ?, ?, ?, ?)');
      for (const e of d.experts) {
        if (!Number.isFinite(e.bias)) throw new EngineError('invalid-argument', `Expert ${e.expert} of run ${d.runId} has a code bias that is not finite (${e.bias}).`, { runId: d.runId, expert: e.expert });
        insert.run(d.runId, e.expert, e.macs, e.bias, JSON.stringify(e.blocks));
      }
    })();
  }

  /** Writes (or replaces) assignments of items; experts must be the run's own. */
  writeAssignments(runId: string, rows: readonly Assignment[]): void {
    const experts = new Set(this.experts(runId).map((e) => e.expert));
    if (experts.size === 0) throw new EngineError('not-found', `Run ${runId} has no routing record; call defineRun first.`, { runId });
    const insert = this.db.prepare('INSERT OR REPLACE INTO routing_assignments (run_id, item_id, expert, margin) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const a of rows) {
        checkAssignment(runId, a);
        if (!experts.has(a.expert)) throw new EngineError('invalid-argument', `Run ${runId} has no expert ${a.expert} (item ${a.itemId}).`, { runId, ...a });
        insert.run(runId, a.itemId, a.expert, a.margin);
      }
    })();
    this.db.prepare('UPDATE routing_runs SET updated_at = ? WHERE run_id = ?').run(new Date().toISOString(), runId);
  }

  /** Every routed run, newest first, with its dataset's name and how many experts and assignments it has. */
  routedRuns(): RoutedRunListing[] {
    return this.db
      .prepare(`SELECT r.run_id AS runId, runs.status, r.dataset_id AS datasetId, d.name AS datasetName, r.updated_at AS updatedAt,
          (SELECT count(*) FROM routing_experts e WHERE e.run_id = r.run_id) AS experts,
          (SELECT count(*) FROM routing_assignments a WHERE a.run_id = r.run_id) AS assigned
        FROM routing_runs r JOIN runs ON runs.id = r.run_id JOIN datasets d ON d.id = r.dataset_id
        ORDER BY runs.created_at DESC, r.run_id`)
      .all() as RoutedRunListing[];
  }

  run(runId: string): RoutedRun | undefined {
    return this.db
      .prepare('SELECT run_id AS runId, dataset_id AS datasetId, encoder, base_macs AS baseMacs, updated_at AS updatedAt FROM routing_runs WHERE run_id = ?')
      .get(runId) as RoutedRun | undefined;
  }

  experts(runId: string): RoutedExpert[] {
    const rows = this.db.prepare('SELECT expert, macs, bias, arch_json AS arch FROM routing_experts WHERE run_id = ? ORDER BY expert').all(runId) as { expert: number; macs: number; bias: number; arch: string }[];
    return rows.map((r) => ({ expert: r.expert, macs: r.macs, bias: r.bias, blocks: JSON.parse(r.arch) as BlockArchitecture[] }));
  }

  /** Every assignment of a run with its prompt, by item id. */
  assignments(runId: string): AssignedPrompt[] {
    return this.db
      .prepare(`SELECT a.item_id AS itemId, a.expert, a.margin, coalesce(i.caption, '') AS caption
        FROM routing_assignments a JOIN dataset_items i ON i.id = a.item_id WHERE a.run_id = ? ORDER BY a.item_id`)
      .all(runId) as AssignedPrompt[];
  }

  /** One expert's prompts, most confidently routed first. */
  expertPrompts(runId: string, expert: number, offset: number, limit: number): { total: number; prompts: AssignedPrompt[] } {
    const { n } = this.db.prepare('SELECT count(*) AS n FROM routing_assignments WHERE run_id = ? AND expert = ?').get(runId, expert) as { n: number };
    const prompts = this.db
      .prepare(`SELECT a.item_id AS itemId, a.expert, a.margin, coalesce(i.caption, '') AS caption
        FROM routing_assignments a JOIN dataset_items i ON i.id = a.item_id
        WHERE a.run_id = ? AND a.expert = ? ORDER BY a.margin DESC, a.item_id LIMIT ? OFFSET ?`)
      .all(runId, expert, limit, offset) as AssignedPrompt[];
    return { total: n, prompts };
  }

  /**
   * The usable captioned items of a dataset in id order, in one query (the map's inputs). Paging by
   * id with the report repository's usableAfter sorts the whole dataset once per page (its plan
   * searches by category index, then sorts), which is quadratic at 100k items.
   */
  promptItems(datasetId: string): { id: number; caption: string }[] {
    return this.db
      .prepare(`SELECT id, caption FROM dataset_items
        WHERE dataset_id = ? AND status != 'error' AND duplicate_of IS NULL AND caption IS NOT NULL AND caption != '' ORDER BY id`)
      .all(datasetId) as { id: number; caption: string }[];
  }

  /**
   * The content hash the cache index records for each prompt embedding of `encoder` (by caption
   * hash; absent ones left out), with one prepared statement. Prompt-embedding keys carry resolution
   * 0 and no variant (data/prepared-cache.ts cacheKey).
   */
  embeddingHashes(encoder: string, inputHashes: readonly string[]): Map<string, string> {
    const get = this.db.prepare("SELECT sha256 FROM prepared_cache WHERE kind = 'prompt-embedding' AND input_hash = ? AND model_id = ? AND resolution = 0 AND variant = ''");
    const out = new Map<string, string>();
    for (const h of inputHashes) {
      const row = get.get(h, encoder) as { sha256: string } | undefined;
      if (row) out.set(h, row.sha256);
    }
    return out;
  }

  findProjection(datasetId: string, encoder: string, paramsJson: string): ProjectionRecord | undefined {
    const row = this.db.prepare('SELECT * FROM projections WHERE dataset_id = ? AND encoder = ? AND params_json = ?').get(datasetId, encoder, paramsJson) as ProjectionRow | undefined;
    return row && {
      id: row.id, datasetId: row.dataset_id, encoder: row.encoder, paramsJson: row.params_json, inputHash: row.input_hash, points: row.points, createdAt: row.created_at,
    };
  }

  /** Stores a projection, replacing any earlier one of the same (dataset, encoder, params). */
  saveProjection(datasetId: string, encoder: string, paramsJson: string, inputHash: string, points: readonly ProjectedPoint[]): ProjectionRecord {
    const id = randomUUID();
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM projections WHERE dataset_id = ? AND encoder = ? AND params_json = ?').run(datasetId, encoder, paramsJson);
      this.db
        .prepare('INSERT INTO projections (id, dataset_id, encoder, params_json, input_hash, points, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(id, datasetId, encoder, paramsJson, inputHash, points.length, new Date().toISOString());
      const insert = this.db.prepare('INSERT INTO projection_points (projection_id, item_id, x, y) VALUES (?, ?, ?, ?)');
      for (const p of points) insert.run(id, p.itemId, p.x, p.y);
    })();
    return this.findProjection(datasetId, encoder, paramsJson)!;
  }

  points(projectionId: string): ProjectedPoint[] {
    return this.db.prepare('SELECT item_id AS itemId, x, y FROM projection_points WHERE projection_id = ? ORDER BY item_id').all(projectionId) as ProjectedPoint[];
  }
}
