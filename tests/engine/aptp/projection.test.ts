// The prompt-map projection on real embeddings: a few hundred clustered prompts through a tiny CLIP
// text encoder (pooled outputs from the preparation cache), projected with seeded UMAP. The map must
// keep neighbourhoods (trustworthiness and kNN overlap, measured; a shuffled layout is the floor),
// be deterministic, be served from SQLite the second time, and be recomputed when embeddings change.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetProjection, knnOverlap, loadPromptEmbeddings, seededRandom, trustworthiness, umapLayout, DEFAULT_UMAP } from '../../../src/engine/aptp/projection';
import { openWorkspace, type Workspace } from '../../../src/engine/store/workspace';
import { tempDir } from '../store/helpers';
import { appendPrompts, clusteredPrompts, preparedPrompts, TOPICS, writeWordModel } from './prompt-world';

const PER_TOPIC = 75;
const temp = tempDir('aptp-projection-');
let ws: Workspace;
let datasetId: string;
let encoder: string;
let modelDir: string;

beforeAll(async () => {
  ws = openWorkspace(join(temp.dir, 'workspace'));
  modelDir = await writeWordModel(join(temp.dir, 'model'));
  ({ datasetId, encoder } = await preparedPrompts(ws, temp.dir, clusteredPrompts(PER_TOPIC), modelDir));
}, 120_000);

afterAll(() => {
  ws.close();
  temp.cleanup();
});

const xyOf = (points: readonly { x: number; y: number }[]): Float32Array => Float32Array.from(points.flatMap((p) => [p.x, p.y]));

describe('prompt map projection', () => {
  it('reads one pooled embedding per prompt from the preparation cache', async () => {
    const m = await loadPromptEmbeddings(ws, datasetId, encoder);
    expect(m.itemIds).toHaveLength(PER_TOPIC * TOPICS.length);
    expect(m.dim).toBe(24);
    expect(m.data.every(Number.isFinite)).toBe(true);
  });

  it('keeps neighbours together, far better than a shuffled layout', async () => {
    const m = await loadPromptEmbeddings(ws, datasetId, encoder);
    const { points, cached } = await datasetProjection(ws, datasetId, encoder);
    expect(cached).toBe(false);
    expect(points.map((p) => p.itemId)).toEqual(m.itemIds);
    const xy = xyOf(points);
    expect(Math.max(...xy.map(Math.abs))).toBeCloseTo(1, 5);
    // The floor: the same coordinates dealt to the points at random (Fisher-Yates, seeded).
    const random = seededRandom(5);
    const order = points.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const shuffled = Float32Array.from(order.flatMap((j) => [xy[j * 2]!, xy[j * 2 + 1]!]));
    const t = trustworthiness(m.data, m.dim, xy, 10);
    const overlap = knnOverlap(m.data, m.dim, xy, 10);
    const floor = trustworthiness(m.data, m.dim, shuffled, 10);
    console.log(`projection of ${points.length} prompts: trustworthiness@10 ${t.toFixed(3)} (shuffled ${floor.toFixed(3)}), kNN overlap@10 ${overlap.toFixed(3)}`);
    expect(floor).toBeLessThan(0.6);
    expect(t).toBeGreaterThan(0.88);
    expect(overlap).toBeGreaterThan(0.3);
  }, 120_000);

  it('is served from SQLite the second time, identically', async () => {
    const first = await datasetProjection(ws, datasetId, encoder);
    const second = await datasetProjection(ws, datasetId, encoder);
    expect(second.cached).toBe(true);
    expect(second.record.id).toBe(first.record.id);
    expect(second.points).toEqual(first.points);
  }, 120_000);

  it('is deterministic for a seed and differs for another', async () => {
    const m = await loadPromptEmbeddings(ws, datasetId, encoder);
    const n = m.itemIds.length;
    const a = await umapLayout(m.data, n, m.dim, DEFAULT_UMAP);
    const b = await umapLayout(m.data, n, m.dim, DEFAULT_UMAP);
    const c = await umapLayout(m.data, n, m.dim, { ...DEFAULT_UMAP, seed: 43 });
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  }, 120_000);

  it('recomputes when the embeddings it was made from change', async () => {
    const first = await datasetProjection(ws, datasetId, encoder);
    expect(first.cached).toBe(true);
    // Another prompt joins the dataset and is prepared: the input hash changes, the map is recomputed with it.
    await appendPrompts(ws, temp.dir, ['fox owl hawk crow elk'], modelDir);
    const second = await datasetProjection(ws, datasetId, encoder);
    expect(second.cached).toBe(false);
    expect(second.points).toHaveLength(first.points.length + 1);
    expect(second.record.inputHash).not.toBe(first.record.inputHash);
    expect((await datasetProjection(ws, datasetId, encoder)).cached).toBe(true);
  }, 120_000);

  it('refuses an encoder the dataset was not prepared with, saying what to do', async () => {
    await expect(datasetProjection(ws, datasetId, 'another-encoder#pooler_output')).rejects.toThrow(/prepare the dataset/);
  });
});
