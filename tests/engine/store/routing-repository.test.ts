// The routing repository on a real SQLite file: a run defined with its experts, assignments written
// and rewritten (replaced, never duplicated), prompts per expert ranked by margin, invalid rows
// refused with what is wrong, and projections saved and replaced per (dataset, encoder, params).
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RoutingRepository, type RoutedExpert } from '../../../src/engine/store/repositories/routing';
import { openWorkspace, type Workspace } from '../../../src/engine/store/workspace';
import { tempDir } from './helpers';

let temp: ReturnType<typeof tempDir>;
let ws: Workspace;
let repo: RoutingRepository;
let runId: string;
const HASH = 'c'.repeat(64);
const expert = (id: number, macs: number, bias = 0): RoutedExpert => ({
  expert: id, macs, bias, blocks: [{ block: 'down_blocks.0', resnetGroups: { kept: 20, total: 32 }, heads: { kept: 3, total: 5 }, ffGroups: { kept: 16, total: 32 }, droppedUnits: [] }],
});

beforeEach(() => {
  temp = tempDir('aptp-routing-');
  ws = openWorkspace(join(temp.dir, 'ws'));
  const project = ws.projects.create('p');
  runId = ws.runs.create(project.id, 'prune').id;
  ws.db.exec(`INSERT INTO datasets (id, name, root, format, status, created_at) VALUES ('d', 'd', '/d', 'prompts', 'ready', 'now');
    INSERT INTO dataset_items (id, dataset_id, key, caption, status, seen_generation) VALUES (1, 'd', 'a', 'a fox', 'ok', 1), (2, 'd', 'b', 'a car', 'ok', 1), (3, 'd', 'c', 'a cake', 'ok', 1);`);
  repo = new RoutingRepository(ws.db);
  repo.defineRun({ runId, datasetId: 'd', encoder: 'clip#pooler_output', baseMacs: 100, experts: [expert(0, 40), expert(1, 90)] });
});

afterEach(() => {
  ws.close();
  temp.cleanup();
});

describe('RoutingRepository', () => {
  it('defines a run with its experts, and a redefinition replaces them', () => {
    expect(repo.run(runId)).toMatchObject({ datasetId: 'd', encoder: 'clip#pooler_output', baseMacs: 100 });
    expect(repo.experts(runId)).toEqual([expert(0, 40), expert(1, 90)]);
    repo.defineRun({ runId, datasetId: 'd', encoder: 'clip#pooler_output', baseMacs: 100, experts: [expert(0, 30, -0.0125)] });
    expect(repo.experts(runId)).toEqual([expert(0, 30, -0.0125)]);
    expect(() => repo.defineRun({ runId, datasetId: 'd', encoder: 'e', baseMacs: 100, experts: [expert(0, 30, Number.NaN)] })).toThrow(/code bias that is not finite/);
    expect(repo.experts(runId)).toEqual([expert(0, 30, -0.0125)]);
    expect(() => repo.defineRun({ runId, datasetId: 'd', encoder: 'e', baseMacs: 1, experts: [expert(0, 1), expert(0, 2)] })).toThrow(/each expert once/);
  });

  it('writes assignments, replaces a rewritten item, and ranks an expert\'s prompts by margin', () => {
    repo.writeAssignments(runId, [{ itemId: 1, expert: 0, margin: 0.2 }, { itemId: 2, expert: 0, margin: 0.9 }, { itemId: 3, expert: 1, margin: 0.1 }]);
    repo.writeAssignments(runId, [{ itemId: 3, expert: 0, margin: 0.5 }]);
    expect(repo.assignments(runId).map((a) => [a.itemId, a.expert, a.caption])).toEqual([[1, 0, 'a fox'], [2, 0, 'a car'], [3, 0, 'a cake']]);
    const ranked = repo.expertPrompts(runId, 0, 0, 2);
    expect(ranked.total).toBe(3);
    expect(ranked.prompts.map((p) => p.itemId)).toEqual([2, 3]);
    expect(repo.expertPrompts(runId, 0, 2, 2).prompts.map((p) => p.itemId)).toEqual([1]);
  });

  it('refuses an unknown expert, a negative or non-finite margin, and a run without a record', () => {
    expect(() => repo.writeAssignments(runId, [{ itemId: 1, expert: 5, margin: 0 }])).toThrow(/no expert 5/);
    expect(() => repo.writeAssignments(runId, [{ itemId: 1, expert: 0, margin: Number.NaN }])).toThrow(/not valid/);
    expect(() => repo.writeAssignments(runId, [{ itemId: 1, expert: 0, margin: -1 }])).toThrow(/not valid/);
    expect(() => repo.writeAssignments('nope', [])).toThrow(/defineRun/);
    expect(repo.assignments(runId)).toEqual([]);
  });

  it('saves a projection and replaces it for the same dataset, encoder and parameters', () => {
    const a = repo.saveProjection('d', 'enc', '{"seed":1}', HASH, [{ itemId: 1, x: 0.5, y: -0.5 }, { itemId: 2, x: 0, y: 1 }]);
    expect(repo.points(a.id)).toEqual([{ itemId: 1, x: 0.5, y: -0.5 }, { itemId: 2, x: 0, y: 1 }]);
    const b = repo.saveProjection('d', 'enc', '{"seed":1}', HASH, [{ itemId: 3, x: 1, y: 1 }]);
    expect(repo.findProjection('d', 'enc', '{"seed":1}')?.id).toBe(b.id);
    expect(repo.points(a.id)).toEqual([]);
    expect(repo.findProjection('d', 'enc', '{"seed":2}')).toBeUndefined();
  });
});
