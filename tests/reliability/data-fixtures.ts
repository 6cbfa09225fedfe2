// Shared set-up of the reliability data tests: a temporary folder and workspace, and an import that
// returns the items sorted by key (real SQLite file, real images from the data fixtures).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetRequest } from '../../src/engine/data/detect';
import { importDataset, type ImportSummary } from '../../src/engine/data/import-dataset';
import { DatasetReportRepository, type ItemRow } from '../../src/engine/store/repositories/datasets-report';
import { openWorkspace, type Workspace } from '../../src/engine/store/workspace';
import { tempDir } from '../engine/store/helpers';

export const job = { signal: new AbortController().signal, progress: () => {} };

export interface DataBench {
  readonly root: string;
  readonly ws: Workspace;
  dir(name: string): string;
  importItems(request: DatasetRequest): Promise<{ summary: ImportSummary; items: ItemRow[] }>;
  close(): void;
}

export function dataBench(prefix: string): DataBench {
  const temp = tempDir(prefix);
  const ws = openWorkspace(join(temp.dir, 'workspace'));
  return {
    root: temp.dir,
    ws,
    dir(name) {
      const d = join(temp.dir, name);
      mkdirSync(d, { recursive: true });
      return d;
    },
    async importItems(request) {
      const summary = await importDataset(ws, request, {}, job);
      const { items } = new DatasetReportRepository(ws.db).items(summary.datasetId, { offset: 0, limit: 1000 });
      return { summary, items: items.sort((a, b) => a.key.localeCompare(b.key)) };
    },
    close() {
      ws.close();
      temp.cleanup();
    },
  };
}
