// Migration 8 gives every routed expert a code bias: experts recorded before it read back with bias
// 0 (the plain argmax they were routed by), and a bias that is not a number is refused by the CHECK.
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../../../src/engine/store/migrations';
import { migrate } from '../../../../src/engine/store/migrate';
import { RoutingRepository } from '../../../../src/engine/store/repositories/routing';

describe('migration 008-routing-code-bias', () => {
  it('is version 8; earlier experts keep bias 0; new ones store theirs', () => {
    const db = new BetterSqlite3(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations.slice(0, 7));
    db.exec(`
      INSERT INTO projects (id, name, created_at) VALUES ('p', 'p', 'now');
      INSERT INTO runs (id, project_id, kind, status, created_at) VALUES ('r', 'p', 'prune', 'completed', 'now');
      INSERT INTO datasets (id, name, root, format, status, created_at) VALUES ('d', 'd', '/d', 'prompts', 'ready', 'now');
      INSERT INTO routing_runs (run_id, dataset_id, encoder, base_macs, updated_at) VALUES ('r', 'd', 'e', 100, 'now');
      INSERT INTO routing_experts (run_id, expert, macs, arch_json) VALUES ('r', 0, 60, '[]'), ('r', 1, 40, '[]');
    `);
    migrate(db, migrations);
    expect(db.pragma('user_version', { simple: true })).toBe(8);
    const repo = new RoutingRepository(db);
    expect(repo.experts('r').map((e) => [e.expert, e.bias])).toEqual([[0, 0], [1, 0]]);
    repo.defineRun({ runId: 'r', datasetId: 'd', encoder: 'e', baseMacs: 100, experts: [{ expert: 0, macs: 60, bias: 0.02, blocks: [] }, { expert: 1, macs: 40, bias: -0.02, blocks: [] }] });
    expect(repo.experts('r').map((e) => e.bias)).toEqual([0.02, -0.02]);
    expect(() => db.exec("UPDATE routing_experts SET bias = 1e300 WHERE run_id = 'r'")).toThrow(/CHECK/);
  });
});
