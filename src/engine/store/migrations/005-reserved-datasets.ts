// Migration 5 is owned by the `datasets` branch (issue 14, dataset management). This branch
// (`stage1`) needs migration 7 before that lands, and the migrator requires consecutive versions, so
// this file holds number 5 without changing the schema. MERGE NOTE: when `datasets` is merged,
// delete this file and list the real 005 in index.ts instead.
import type { Migration } from './migration';

export const reservedDatasets: Migration = {
  version: 5,
  name: 'reserved-datasets',
  up() {},
};
