// The Dataset view's managing and curating handlers: rename and delete datasets (records and caches,
// never the user's files), one item in full and its image (re-encoded at most maxSide, read from the
// dataset's folder only for an item of the dataset), and excluding items. The export is a run
// (exportDataset in run-service.ts).
import { join } from 'node:path';
import sharp from 'sharp';
import type { StudioHandlers } from '../../shared/studio-api';
import { EngineError } from '../core/errors';
import { deleteDataset } from '../data/delete-dataset';
import { categoryLabel } from '../data/report';
import { DatasetRepository, type DatasetRecord } from '../store/repositories/datasets';
import { DatasetReportRepository } from '../store/repositories/datasets-report';
import type { Workspace } from '../store/workspace';

type ManageHandlers = Pick<StudioHandlers, 'renameDataset' | 'deleteDataset' | 'datasetItem' | 'datasetImage' | 'setItemsExcluded'>;

function datasetOf(ws: Workspace, datasetId: string): DatasetRecord {
  const dataset = new DatasetRepository(ws.db).get(datasetId);
  if (!dataset) throw new EngineError('not-found', `No dataset ${datasetId} in this workspace (it may have been deleted); pick another.`, { datasetId });
  return dataset;
}

function itemOf(ws: Workspace, datasetId: string, itemId: number) {
  const item = new DatasetReportRepository(ws.db).item(datasetId, itemId);
  if (!item) throw new EngineError('not-found', `Dataset ${datasetId} has no item ${itemId} (it may have been re-imported); reload the list.`, { datasetId, itemId });
  return item;
}

export function datasetManageHandlers(workspace: () => Workspace): ManageHandlers {
  return {
    renameDataset: async ({ datasetId, name }) => {
      const ws = workspace();
      datasetOf(ws, datasetId);
      return { renamed: new DatasetRepository(ws.db).rename(datasetId, name) };
    },
    deleteDataset: async ({ datasetId }) => {
      const s = await deleteDataset(workspace(), datasetId);
      return { name: s.dataset.name, items: s.items, cachedFiles: s.cachedFiles, thumbnails: s.thumbnails };
    },
    datasetItem: async ({ datasetId, itemId }) => {
      const ws = workspace();
      const dataset = datasetOf(ws, datasetId);
      const i = itemOf(ws, datasetId, itemId);
      const reason = i.duplicateOf ? `the same image as ${i.duplicateOf}, seen first; this copy is left out of training` : i.problemDetail;
      return {
        id: i.id, key: i.key, imageFile: i.imagePath ? join(dataset.root, i.imagePath) : null, captionFile: i.captionPath ? join(dataset.root, i.captionPath) : null,
        caption: i.caption, captionChars: i.captionChars, captionTokens: i.captionTokens, captionTokensExact: i.captionTokensExact,
        width: i.width, height: i.height, imageFormat: i.imageFormat, imageBytes: i.imageBytes, repeats: i.repeats,
        category: i.category, label: categoryLabel(i.category).label, reason, excluded: i.excluded, original: i.original,
      };
    },
    datasetImage: async ({ datasetId, itemId, maxSide }) => {
      const ws = workspace();
      const dataset = datasetOf(ws, datasetId);
      const item = itemOf(ws, datasetId, itemId);
      if (!item.imagePath || !item.contentHash) throw new EngineError('invalid-argument', `Item ${item.key} has no readable image to show.`, { itemId });
      const path = join(dataset.root, item.imagePath);
      const image = sharp(path, { failOn: 'truncated', limitInputPixels: 64 * 1024 * 1024 }).rotate();
      const { data, info } = await image.resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true }).webp({ quality: 90 }).toBuffer({ resolveWithObject: true })
        .catch((error: unknown) => {
          throw new EngineError('corrupt-file', `Cannot show ${path}: ${(error as Error).message}. It may have changed since import; re-import the dataset.`, { path });
        });
      return { dataUrl: `data:image/webp;base64,${data.toString('base64')}`, width: item.width ?? info.width, height: item.height ?? info.height };
    },
    setItemsExcluded: async ({ datasetId, itemIds, excluded }) => {
      const ws = workspace();
      datasetOf(ws, datasetId);
      return { changed: new DatasetRepository(ws.db).setExcluded(datasetId, itemIds, excluded) };
    },
  };
}
