// The Routing view's handlers through the real contract validation on a real workspace: clustered
// prompts imported and prepared with a tiny CLIP, a routed run recorded through the repositories,
// the map (every prompt once, with its expert, margin and 2-D place; the projection computed once,
// then cached), experts with MACs shares, prompts ranked by margin, expensive prompts with their
// separating words, and clear errors for a run without routing and for invalid input.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routingHandlers } from '../../../src/engine/host/routing-service';
import { openWorkspace, type Workspace } from '../../../src/engine/store/workspace';
import type { Result } from '../../../src/shared/result';
import type { StudioHandlers, StudioInput, StudioMethod, StudioOutput } from '../../../src/shared/studio-api';
import { handleStudioRequest } from '../../../src/shared/studio-validate';
import { clusteredPrompts, preparedPrompts, writeWordModel } from '../aptp/prompt-world';
import { seedRouting, type SeededRouting } from '../aptp/routing-seed';
import { tempDir } from '../store/helpers';

const temp = tempDir('aptp-routing-service-');
const K = 4;
let ws: Workspace;
let handlers: StudioHandlers;
let seeded: SeededRouting;
let prompts: string[];

beforeAll(async () => {
  ws = openWorkspace(join(temp.dir, 'workspace'));
  handlers = routingHandlers(() => ws) as StudioHandlers;
  prompts = clusteredPrompts(30);
  const model = await writeWordModel(join(temp.dir, 'model'));
  const { datasetId, encoder } = await preparedPrompts(ws, temp.dir, prompts, model);
  seeded = await seedRouting(ws, datasetId, encoder, K);
}, 120_000);

afterAll(() => {
  ws.close();
  temp.cleanup();
});

const call = <M extends StudioMethod>(method: M, input: StudioInput<M>) => handleStudioRequest(handlers, method, input) as Promise<Result<StudioOutput<M>>>;

async function value<M extends StudioMethod>(method: M, input: StudioInput<M>): Promise<StudioOutput<M>> {
  const r = await call(method, input);
  if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
  return r.value;
}

describe('routing handlers', () => {
  it('list the routed run with its dataset and counts', async () => {
    const { runs } = await value('routingRuns', {});
    expect(runs).toEqual([expect.objectContaining({ runId: seeded.runId, status: 'pending', experts: K, assigned: prompts.length, datasetName: 'prompts.txt' })]);
  });

  it('map every prompt once with its expert and margin, computing the projection once', async () => {
    const first = await value('routingMap', { runId: seeded.runId });
    expect(first.projection.cached).toBe(false);
    const p = first.points;
    expect(p.itemId).toHaveLength(prompts.length);
    expect(new Set(p.prompt)).toEqual(new Set(prompts));
    const byItem = new Map(seeded.assignments.map((a) => [a.itemId, a]));
    p.itemId.forEach((id, i) => {
      expect(p.expert[i]).toBe(byItem.get(id)!.expert);
      expect(p.margin[i]).toBeCloseTo(byItem.get(id)!.margin, 12);
      expect(Math.abs(p.x[i]!)).toBeLessThanOrEqual(1);
    });
    const second = await value('routingMap', { runId: seeded.runId });
    expect(second.projection.cached).toBe(true);
    expect(second.points).toEqual(first.points);
  }, 60_000);

  it('give each expert its MACs share, prompt count and per-block architecture', async () => {
    const map = await value('routingMap', { runId: seeded.runId });
    expect(map.experts.map((e) => e.id)).toEqual([0, 1, 2, 3]);
    expect(map.experts.reduce((s, e) => s + e.prompts, 0)).toBe(prompts.length);
    const shares = map.experts.map((e) => e.macsShare);
    expect(shares[3]).toBeCloseTo(1, 6);
    expect([...shares].sort((a, b) => a - b)).toEqual(shares);
    expect(map.experts[0]!.blocks.map((b) => b.block)).toEqual(['down_blocks.0', 'down_blocks.1', 'mid_block', 'up_blocks.0', 'up_blocks.1']);
  }, 60_000);

  it('rank an expert\'s prompts by margin, page by page', async () => {
    const e = seeded.assignments[0]!.expert;
    const all = seeded.assignments.filter((a) => a.expert === e).sort((a, b) => b.margin - a.margin);
    const page = await value('expertPrompts', { runId: seeded.runId, expert: e, offset: 1, limit: 3 });
    expect(page.total).toBe(all.length);
    expect(page.prompts.map((x) => x.itemId)).toEqual(all.slice(1, 4).map((a) => a.itemId));
  });

  it('list the costliest expert\'s prompts first, with words that separate it from the cheapest', async () => {
    const r = await value('expensivePrompts', { runId: seeded.runId, limit: 500, words: 5 });
    expect(r.expensiveExpert).toBe(3);
    expect(r.cheapExpert).toBe(0);
    const experts = r.prompts.map((p) => p.expert);
    expect(experts).toEqual([...experts].sort((a, b) => b - a));
    expect(r.prompts).toHaveLength(prompts.length);
    expect(r.words).toHaveLength(5);
    const top = r.words[0]!;
    expect(Math.abs(top.score)).toBeGreaterThan(1.96);
    expect(top.score > 0 ? top.expensiveShare > top.cheapShare : top.expensiveShare < top.cheapShare).toBe(true);
  });

  it('explain a run without routing, and refuse invalid input', async () => {
    const none = await call('routingMap', { runId: 'no-such-run' });
    expect(none).toMatchObject({ ok: false, error: { code: 'not-found' } });
    if (!none.ok) expect(none.error.message).toMatch(/no routing recorded yet/);
    expect(await call('expertPrompts', { runId: seeded.runId, expert: -1 } as never)).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });
});
