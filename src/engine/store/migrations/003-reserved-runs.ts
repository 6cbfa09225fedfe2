// Migration 3 is owned by the `runs` branch (runs as processes). This branch (`views`) needs
// migration 4 before that lands, and the migrator requires consecutive versions, so this file holds
// number 3 without changing the schema. MERGE NOTE: when `runs` is merged, delete this file and list
// the real 003 in index.ts instead. A database that reached version 4 here lacks the runs columns.
import type { Migration } from './migration';

export const reservedRuns: Migration = {
  version: 3,
  name: 'reserved-runs',
  up() {},
};
