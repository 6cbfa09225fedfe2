// What the Dataset view remembers across navigation and reload: the dataset shown, its filter
// (report category, flag or histogram bin), search and sort. Kept in the tab's sessionStorage (one
// studio tab, one memory; a new tab starts fresh), read and written only here; anything unreadable
// is dropped, never trusted.
import { z } from 'zod';
import { itemBinSchema, itemFlagSchema, itemSortSchema } from '../../../shared/dataset-api';

const KEY = 'aptp.dataset-view';

const viewStateSchema = z.object({
  datasetId: z.string().optional(),
  category: z.string().max(64).optional(),
  flag: itemFlagSchema.optional(),
  bin: itemBinSchema.optional(),
  search: z.string().max(500).default(''),
  sort: itemSortSchema.default('id'),
  descending: z.boolean().default(false),
});

export type DatasetViewState = z.output<typeof viewStateSchema>;
export type DatasetFilter = Pick<DatasetViewState, 'category' | 'flag' | 'bin'>;

export function loadViewState(storage: Storage | undefined = globalThis.sessionStorage): DatasetViewState {
  try {
    const parsed = viewStateSchema.safeParse(JSON.parse(storage?.getItem(KEY) ?? '{}'));
    return parsed.success ? parsed.data : viewStateSchema.parse({});
  } catch {
    return viewStateSchema.parse({});
  }
}

export function saveViewState(state: DatasetViewState, storage: Storage | undefined = globalThis.sessionStorage): void {
  try {
    storage?.setItem(KEY, JSON.stringify(state));
  } catch {
    // A full or disabled storage only costs the memory across reloads.
  }
}
