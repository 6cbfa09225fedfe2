// Dataset import, preparation and export as run kinds. Both keep their finished steps (import: rows written
// per batch, re-import re-checks only what changed; prepare: cached files keyed by input hash), so
// a pause aborts the work and a resume simply runs it again. Each holds its dataset as resource:
// one writer per dataset. An export only reads its dataset and holds its target folder (all or
// nothing: it writes a temporary folder renamed into place), so a cancel simply drops the copy.
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { datasetFormatSchema } from '../../shared/dataset-api';
import { exportSubset } from '../data/export-subset';
import { importDataset } from '../data/import-dataset';
import { runPreparation } from '../data/prepare-job';
import { EngineError } from '../core/errors';
import { DatasetRepository } from '../store/repositories/datasets';
import { defineRunKind } from './run-kind';

const absolutePath = z.string().min(1).max(4096);

export const importConfigSchema = z.object({
  path: absolutePath,
  format: datasetFormatSchema.optional(),
  captionColumn: z.string().min(1).max(200).optional(),
  file: absolutePath.optional(),
  name: z.string().min(1).max(200).optional(),
  minSide: z.number().int().min(1).max(65536).optional(),
}).strict();
export type ImportConfig = z.output<typeof importConfigSchema>;

export const importRunKind = defineRunKind({
  kind: 'importDataset',
  configSchema: importConfigSchema,
  pause: 'abort',
  async resource(config) {
    const path = await realpath(resolve(config.path)).catch(() => {
      throw new EngineError('not-found', `Cannot open ${config.path}. Pick an existing folder.`, { path: config.path });
    });
    return `dataset:${path}`;
  },
  async run(ctx) {
    const c = ctx.config;
    const s = await importDataset(
      ctx.workspace,
      { path: c.path, ...(c.format ? { format: c.format } : {}), ...(c.captionColumn ? { mapping: { captionColumn: c.captionColumn } } : {}), ...(c.file ? { file: c.file } : {}) },
      { ...(c.name ? { name: c.name } : {}), ...(c.minSide ? { limits: { minSide: c.minSide } } : {}) },
      ctx,
    );
    const d = s.detection;
    return {
      datasetId: s.datasetId, checked: s.checked, unchanged: s.unchanged, removed: s.removed, duplicates: s.duplicates, rechecked: s.rechecked, dropped: { ...s.dropped },
      detection: { format: d.format, reason: d.reason, root: d.root, ...(d.file ? { file: d.file } : {}), ...(d.columns ? { columns: [...d.columns] } : {}), mapping: { ...d.mapping } },
    };
  },
});

export const prepareConfigSchema = z.object({
  datasetId: z.string().min(1).max(100),
  modelDir: absolutePath,
  resolution: z.number().int().min(64).max(4096).optional(),
  crop: z.enum(['center', 'random']).default('center'),
  flip: z.boolean().default(false),
  seed: z.number().int().min(0).max(2 ** 31).optional(),
  pixels: z.boolean().optional(),
  imageBatch: z.number().int().min(1).max(256).optional(),
  /** How cached files are checked before reuse: their size (default) or also their sha256. */
  verify: z.enum(['size', 'sha256']).optional(),
}).strict();
export type PrepareConfig = z.output<typeof prepareConfigSchema>;

export const prepareRunKind = defineRunKind({
  kind: 'prepareDataset',
  configSchema: prepareConfigSchema,
  pause: 'abort',
  async resource(config, workspace) {
    const dataset = new DatasetRepository(workspace.db).get(config.datasetId);
    if (!dataset) throw new EngineError('not-found', `No dataset ${config.datasetId} in this workspace; import it first.`, { datasetId: config.datasetId });
    return `dataset:${dataset.root}`;
  },
  run: (ctx) => runPreparation(ctx.workspace, ctx.config, ctx),
});

export const exportConfigSchema = z.object({
  datasetId: z.string().min(1).max(100),
  target: absolutePath,
  force: z.boolean().default(false),
}).strict();

export const exportRunKind = defineRunKind({
  kind: 'exportDataset',
  configSchema: exportConfigSchema,
  pause: 'abort',
  async resource(config) {
    return `export:${resolve(config.target)}`;
  },
  run: (ctx) => exportSubset(ctx.workspace, { ...ctx.config, target: resolve(ctx.config.target) }, ctx),
});
