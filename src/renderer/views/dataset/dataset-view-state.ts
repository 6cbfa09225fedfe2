// What the Dataset view remembers across navigation and reload: the dataset shown, its filter
// (report category, flag or histogram bin), search and sort. Kept through the studio's one view-state
// store (lib/state/view-state: the tab's sessionStorage; a new tab starts fresh), saved when the view
// changes its query; anything unreadable is dropped, never trusted.
import { z } from 'zod';
import { itemBinSchema, itemFlagSchema, itemSortSchema } from '../../../shared/dataset-api';
import { keep, recall } from '../../lib/state/view-state.svelte';

const KEY = 'dataset';

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

export function loadViewState(): DatasetViewState {
  return recall(KEY, viewStateSchema) ?? viewStateSchema.parse({});
}

export function saveViewState(state: DatasetViewState): void {
  keep(KEY, state);
}
