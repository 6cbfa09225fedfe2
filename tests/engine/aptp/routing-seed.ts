// Test helper: records a routed run the way the stage-1 trainer will, through the real repositories,
// before the trainer exists. K experts over the tiny UNet's real gate layout (expert k keeps a
// seeded share of the entries, more for higher k, so expert K-1 is the costliest), MACs from the
// real MACs accounting (fixed part plus the kept share of the prunable part: an estimate, the
// trainer records exact ones), and each prompt assigned to its nearest of K k-means centroids of its
// real embedding, with margin = runner-up distance minus nearest distance.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_UMAP, loadPromptEmbeddings, normaliseLayout, projectionParamsJson, promptEmbeddingsHash, seededRandom } from '../../../src/engine/aptp/projection';
import { expertArchitecture } from '../../../src/engine/aptp/routing-map';
import { importDataset } from '../../../src/engine/data/import-dataset';
import { cacheKey, captionHash, PreparedCache } from '../../../src/engine/data/prepared-cache';
import { parseUNetConfig } from '../../../src/engine/models/sd/config';
import { gateLayout, unetMacs } from '../../../src/engine/models/sd/structure';
import { resolveUNet } from '../../../src/engine/models/sd/unet/arch';
import { RoutingRepository, type Assignment } from '../../../src/engine/store/repositories/routing';
import type { Workspace } from '../../../src/engine/store/workspace';
import { TINY_UNET } from '../models/sd/loader/tiny-folder';
import { quietJob, TOPICS } from './prompt-world';

interface Clustering {
  readonly labels: Int32Array;
  /** Per point: runner-up centroid distance minus the assigned one. */
  readonly margins: Float64Array;
}

/**
 * Lloyd's k-means from a farthest-point start (row 0, then each next centroid the row farthest from
 * those chosen: deterministic and independent of the rows' order), then each point's nearest and
 * runner-up centroid.
 */
function kmeans(data: Float32Array, n: number, d: number, k: number, iterations = 20): Clustering {
  const dist = (i: number, c: Float32Array) => Math.sqrt(c.reduce((s, v, j) => s + (data[i * d + j]! - v) ** 2, 0));
  const centroids = [data.slice(0, d)];
  while (centroids.length < k) {
    let far = 0;
    let farDist = -1;
    for (let i = 0; i < n; i++) {
      const near = Math.min(...centroids.map((c) => dist(i, c)));
      if (near > farDist) [far, farDist] = [i, near];
    }
    centroids.push(data.slice(far * d, far * d + d));
  }
  const labels = new Int32Array(n);
  const margins = new Float64Array(n);
  for (let it = 0; it <= iterations; it++) {
    for (let i = 0; i < n; i++) {
      const order = centroids.map((c, ci) => [dist(i, c), ci] as const).sort((a, b) => a[0] - b[0]);
      labels[i] = order[0]![1];
      margins[i] = order.length > 1 ? order[1]![0] - order[0]![0] : 0;
    }
    if (it === iterations) break;
    centroids.forEach((c, ci) => {
      const members = [...labels.keys()].filter((i) => labels[i] === ci);
      if (members.length === 0) return;
      c.fill(0);
      for (const i of members) for (let j = 0; j < d; j++) c[j]! += data[i * d + j]! / members.length;
    });
  }
  return { labels, margins };
}

export interface SeededRouting {
  readonly runId: string;
  readonly assignments: readonly Assignment[];
}

export async function seedRouting(ws: Workspace, datasetId: string, encoder: string, k: number): Promise<SeededRouting> {
  const run = ws.runs.create(ws.projects.create('routing test').id, 'prune', { datasetId, experts: k });
  const arch = resolveUNet(parseUNetConfig(TINY_UNET, { file: 'test', component: 'unet' }));
  const layout = gateLayout(arch);
  const macs = unetMacs(arch, { height: 8, width: 8 });
  const experts = Array.from({ length: k }, (_, e) => {
    const keep = 0.4 + (0.6 * e) / Math.max(1, k - 1);
    const vector = Float32Array.from({ length: layout.vectorLength }, (_, i) => (((i * 7 + e * 13) % 100) / 100 < keep ? 1 : 0));
    return { expert: e, macs: macs.total - macs.prunable * (1 - keep), bias: 0, blocks: expertArchitecture(layout, vector) };
  });
  const repo = new RoutingRepository(ws.db);
  repo.defineRun({ runId: run.id, datasetId, encoder, baseMacs: macs.total, experts });
  const m = await loadPromptEmbeddings(ws, datasetId, encoder);
  const { labels, margins } = kmeans(m.data, m.itemIds.length, m.dim, k);
  const assignments = m.itemIds.map((itemId, i) => ({ itemId, expert: labels[i]!, margin: margins[i]! }));
  repo.writeAssignments(run.id, assignments);
  return { runId: run.id, assignments };
}

/**
 * A render-load fixture for the map: `count` prompts imported as a real prompts dataset with
 * DISTINCT_CAPTIONS distinct captions, each caption given a stand-in 8-D embedding through the real
 * preparation cache (no encoder run: that would take hours here), K blobs; the projection stored
 * through the repository against the real input hash, each item at its blob's centre plus its own
 * noise (UMAP of 100k points is not what this measures), and each prompt assigned to its blob.
 */
const DISTINCT_CAPTIONS = 2000;

export async function seedLargeRouting(ws: Workspace, dir: string, count: number, k: number): Promise<{ runId: string; datasetId: string }> {
  const file = join(dir, 'many-prompts.txt');
  const captionOf = (i: number) => {
    const c = i % DISTINCT_CAPTIONS;
    return `prompt ${c} about ${TOPICS[c % TOPICS.length]![c % 15]}`;
  };
  writeFileSync(file, Array.from({ length: count }, (_, i) => captionOf(i)).join('\n'));
  const { datasetId } = await importDataset(ws, { path: file }, {}, quietJob());
  const encoder = 'stand-in-8d#blobs';
  const cache = new PreparedCache(ws);
  const random = seededRandom(11);
  const normal = () => Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
  const blobOf = (i: number) => (i % DISTINCT_CAPTIONS) % k;
  const centre = (b: number, d: number) => (d < 2 ? 0.6 * Math.cos((2 * Math.PI * b) / k - (d * Math.PI) / 2) : 0);
  for (let c = 0; c < Math.min(count, DISTINCT_CAPTIONS); c++) {
    const data = Float32Array.from({ length: 8 }, (_, d) => centre(blobOf(c), d) + 0.12 * normal());
    await cache.write(cacheKey('prompt-embedding', captionHash(captionOf(c)), encoder, 0, ''), { dtype: 'float32', shape: [8], data });
  }
  const items = ws.db.prepare('SELECT id FROM dataset_items WHERE dataset_id = ? ORDER BY id').all(datasetId) as { id: number }[];
  const raw = Float32Array.from(items.flatMap((_, i) => [centre(blobOf(i), 0) + 0.15 * normal(), centre(blobOf(i), 1) + 0.15 * normal()]));
  const xy = normaliseLayout(raw);
  const repo = new RoutingRepository(ws.db);
  repo.saveProjection(datasetId, encoder, projectionParamsJson(DEFAULT_UMAP), promptEmbeddingsHash(ws, datasetId, encoder), items.map((item, i) => ({ itemId: item.id, x: xy[i * 2]!, y: xy[i * 2 + 1]! })));
  const run = ws.runs.create(ws.projects.create('large routing').id, 'prune', { datasetId, experts: k });
  repo.defineRun({ runId: run.id, datasetId, encoder, baseMacs: 1e9, experts: Array.from({ length: k }, (_, e) => ({ expert: e, macs: 1e9 * (0.4 + (0.6 * e) / Math.max(1, k - 1)), bias: 0, blocks: [] })) });
  repo.writeAssignments(run.id, items.map((item, i) => ({ itemId: item.id, expert: blobOf(i), margin: random() })));
  return { runId: run.id, datasetId };
}
