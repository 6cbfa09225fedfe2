// Deleting a dataset from the workspace: its records (items, routing maps and projections made
// from it) and the caches only it used (thumbnails and prepared tensors whose image or caption no
// other dataset has). Never the user's files: the dataset's folder is not touched. Refused while a
// run is writing the dataset. Rows go first, in one transaction, then the files, so a crash leaves
// at worst unreferenced cache files, never an index pointing at a missing one.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../core/errors';
import { DatasetRepository, type DatasetRecord } from '../store/repositories/datasets';
import { PreparedCacheRepository } from '../store/repositories/datasets-prepared';
import { RunRepository } from '../store/repositories/runs';
import type { Workspace } from '../store/workspace';
import { captionHash, PreparedCache } from './prepared-cache';
import { ThumbnailStore } from './thumbnails';

export interface DeleteSummary {
  readonly dataset: DatasetRecord;
  readonly items: number;
  /** Prepared-cache files and thumbnails removed (only those no other dataset uses). */
  readonly cachedFiles: number;
  readonly thumbnails: number;
}

function refuseWhileWritten(ws: Workspace, dataset: DatasetRecord): void {
  const writer = new RunRepository(ws.db).active().find((r) => r.resource === `dataset:${dataset.root}`);
  if (!writer) return;
  throw new EngineError('busy', `Dataset '${dataset.name}' is being written by run ${writer.id.slice(0, 8)} (${writer.kind}); cancel it first (\`aptp runs cancel ${writer.id.slice(0, 8)}\`).`, { datasetId: dataset.id, runId: writer.id });
}

export async function deleteDataset(ws: Workspace, datasetId: string): Promise<DeleteSummary> {
  const repo = new DatasetRepository(ws.db);
  const dataset = repo.get(datasetId);
  if (!dataset) throw new EngineError('not-found', `No dataset ${datasetId} in this workspace; \`aptp data list\` shows them.`, { datasetId });
  refuseWhileWritten(ws, dataset);
  const { items, cachePaths, contentHashes } = ws.db.transaction(() => {
    const inputs = repo.exclusiveInputs(dataset.id);
    const n = (ws.db.prepare('SELECT count(*) AS n FROM dataset_items WHERE dataset_id = ?').get(dataset.id) as { n: number }).n;
    const paths = new PreparedCacheRepository(ws.db).removeInputs([...inputs.contentHashes, ...inputs.captions.map(captionHash)]);
    repo.remove(dataset.id);
    return { items: n, cachePaths: paths, contentHashes: inputs.contentHashes };
  })();
  const cacheDir = new PreparedCache(ws).dir;
  await Promise.all(cachePaths.map((p) => rm(join(cacheDir, p), { force: true })));
  const thumbs = ThumbnailStore.forWorkspace(ws.dir);
  await Promise.all(contentHashes.map((h) => rm(thumbs.pathOf(h), { force: true })));
  return { dataset, items, cachedFiles: cachePaths.length, thumbnails: contentHashes.length };
}
