// Migration 6 is owned by the `studio` branch (issue 14, studio side: generations). This branch
// (`stage1`) needs migration 7 before that lands, and the migrator requires consecutive versions, so
// this file holds number 6 without changing the schema. MERGE NOTE: when `studio` is merged, delete
// this file and list the real 006 in index.ts instead.
import type { Migration } from './migration';

export const reservedStudio: Migration = {
  version: 6,
  name: 'reserved-studio',
  up() {},
};
