// What the Routing view reads, assembled from the routing tables and the prompt-map projection:
// the map (every prompt of the run's dataset with its 2-D place, expert and margin, as columns), the
// experts with their MACs share and prompt counts, and the expensive prompts with the words that
// separate the costliest expert's prompts from the cheapest's.
import { EngineError } from '../../core/errors';
import { RoutingRepository, type AssignedPrompt, type RoutedRun } from '../../store/repositories/routing';
import type { Workspace } from '../../store/workspace';
import type { LayoutOptions } from '../projection/umap';
import { datasetProjection } from '../projection/project';
import { separatingWords } from './separating-words';

export interface MapColumns {
  readonly itemId: number[];
  readonly x: number[];
  readonly y: number[];
  readonly expert: (number | null)[];
  readonly margin: (number | null)[];
  readonly prompt: string[];
}

function requireRun(repo: RoutingRepository, runId: string): RoutedRun {
  const run = repo.run(runId);
  if (!run) throw new EngineError('not-found', `Run ${runId} has no routing recorded yet; routing appears once a pruning run has assigned its prompts.`, { runId });
  return run;
}

function expertsOf(repo: RoutingRepository, run: RoutedRun, assigned: readonly AssignedPrompt[]) {
  const counts = new Map<number, number>();
  for (const a of assigned) counts.set(a.expert, (counts.get(a.expert) ?? 0) + 1);
  return repo.experts(run.runId).map((e) => ({ id: e.expert, macs: e.macs, macsShare: e.macs / run.baseMacs, prompts: counts.get(e.expert) ?? 0, blocks: e.blocks.map((b) => ({ ...b, droppedUnits: [...b.droppedUnits] })) }));
}

export async function routingMapOf(ws: Workspace, runId: string, o: LayoutOptions = {}) {
  const repo = new RoutingRepository(ws.db);
  const run = requireRun(repo, runId);
  const projection = await datasetProjection(ws, run.datasetId, run.encoder, undefined, o);
  const assigned = repo.assignments(runId);
  const byItem = new Map(assigned.map((a) => [a.itemId, a]));
  const captions = new Map(repo.promptItems(run.datasetId).map((r) => [r.id, r.caption]));
  const points: MapColumns = { itemId: [], x: [], y: [], expert: [], margin: [], prompt: [] };
  for (const p of projection.points) {
    const a = byItem.get(p.itemId);
    points.itemId.push(p.itemId);
    points.x.push(p.x);
    points.y.push(p.y);
    points.expert.push(a ? a.expert : null);
    points.margin.push(a ? a.margin : null);
    points.prompt.push(captions.get(p.itemId) ?? '');
  }
  return {
    runId,
    datasetId: run.datasetId,
    baseMacs: run.baseMacs,
    projection: { method: 'umap', params: projection.record.paramsJson, cached: projection.cached },
    points,
    experts: expertsOf(repo, run, assigned),
  };
}

/** Prompts of the costliest expert first (then the next costliest...), each by margin; and the separating words. */
export function expensivePromptsOf(ws: Workspace, runId: string, limit: number, words: number) {
  const repo = new RoutingRepository(ws.db);
  requireRun(repo, runId);
  const experts = repo.experts(runId).sort((a, b) => b.macs - a.macs || a.expert - b.expert);
  const assigned = repo.assignments(runId);
  const rank = new Map(experts.map((e, i) => [e.expert, i]));
  const prompts = [...assigned]
    .sort((a, b) => rank.get(a.expert)! - rank.get(b.expert)! || b.margin - a.margin || a.itemId - b.itemId)
    .slice(0, limit)
    .map((a) => ({ itemId: a.itemId, expert: a.expert, prompt: a.caption, margin: a.margin }));
  const costly = experts[0]!.expert;
  const cheap = experts[experts.length - 1]!.expert;
  const of = (e: number) => assigned.filter((a) => a.expert === e).map((a) => a.caption);
  const scored = separatingWords(of(costly), of(cheap)).slice(0, words);
  return {
    expensiveExpert: costly,
    cheapExpert: cheap,
    prompts,
    words: scored.map((w) => ({ word: w.word, expensiveShare: w.shareA, cheapShare: w.shareB, score: w.score })),
  };
}
