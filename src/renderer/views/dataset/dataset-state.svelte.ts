// One imported dataset as the view shows it: the report, the filter (a report category, a flag
// such as excluded or long captions, or a histogram bar), the search (captions and file names) and
// the sort, remembered in the view state; and a virtualised item grid fed page by page (pages and
// thumbnails cached, fetched only for the rows on screen), so 100k items scroll without holding
// them all. Excluding items reloads the report and the pages.
import type { DatasetItem } from '../../../shared/dataset-api';
import type { ErrorInfo } from '../../../shared/result';
import type { StudioApi, StudioOutput } from '../../../shared/studio-api';
import { saveViewState, type DatasetFilter, type DatasetViewState } from './dataset-view-state';

export const PAGE_SIZE = 200;
const THUMBS_PER_CALL = 64;

export class DatasetState {
  report = $state<StudioOutput<'datasetReport'> | undefined>(undefined);
  filterBy = $state<DatasetFilter>({});
  search = $state('');
  sort = $state<DatasetViewState['sort']>('id');
  descending = $state(false);
  total = $state(0);
  /** True once the first page of the current query has answered (so "no results" is not shown while loading). */
  loaded = $state(false);
  error = $state<ErrorInfo | undefined>(undefined);
  /** Bumped when pages or thumbnails arrive, so the grid re-reads the caches. */
  version = $state(0);
  #pages = new Map<number, DatasetItem[]>();
  #pending = new Set<number>();
  #thumbs = new Map<number, string>();
  #thumbsAsked = new Set<number>();
  #query = 0;

  constructor(private readonly api: StudioApi, readonly datasetId: string, remembered?: DatasetViewState) {
    if (remembered?.datasetId === datasetId) {
      this.filterBy = { ...(remembered.category ? { category: remembered.category } : {}), ...(remembered.flag ? { flag: remembered.flag } : {}), ...(remembered.bin ? { bin: remembered.bin } : {}) };
      this.search = remembered.search;
      this.sort = remembered.sort;
      this.descending = remembered.descending;
    }
  }

  get category(): string | undefined {
    return this.filterBy.category;
  }

  async load(): Promise<void> {
    await this.reloadReport();
    await this.#reset();
  }

  async reloadReport(): Promise<void> {
    const result = await this.api.datasetReport({ datasetId: this.datasetId });
    if (result.ok) this.report = result.value;
    else this.error = result.error;
  }

  /** Shows only what `filter` selects (one of category, flag, bin; empty for everything). */
  async filter(filter: DatasetFilter): Promise<void> {
    this.filterBy = filter;
    await this.#reset();
  }

  async find(search: string): Promise<void> {
    this.search = search;
    await this.#reset();
  }

  async order(sort: DatasetViewState['sort'], descending: boolean): Promise<void> {
    this.sort = sort;
    this.descending = descending;
    await this.#reset();
  }

  /** Excludes or includes items, then reloads the report and the pages. */
  async exclude(ids: readonly number[], excluded: boolean): Promise<boolean> {
    const result = await this.api.setItemsExcluded({ datasetId: this.datasetId, itemIds: [...ids], excluded });
    if (!result.ok) {
      this.error = result.error;
      return false;
    }
    await this.load();
    return true;
  }

  #remember(): void {
    saveViewState({ datasetId: this.datasetId, ...this.filterBy, search: this.search, sort: this.sort, descending: this.descending });
  }

  async #reset(): Promise<void> {
    this.#remember();
    this.#query++;
    this.#pages.clear();
    this.#pending.clear();
    this.loaded = false;
    await this.#fetchPage(0);
  }

  async #fetchPage(page: number): Promise<void> {
    if (this.#pages.has(page) || this.#pending.has(page)) return;
    this.#pending.add(page);
    const query = this.#query;
    const result = await this.api.datasetItems({
      datasetId: this.datasetId, offset: page * PAGE_SIZE, limit: PAGE_SIZE, sort: this.sort, descending: this.descending,
      ...this.filterBy, ...(this.search ? { search: this.search } : {}),
    });
    if (query !== this.#query) return;
    this.#pending.delete(page);
    if (!result.ok) {
      this.error = result.error;
      return;
    }
    this.#pages.set(page, result.value.items);
    this.total = result.value.total;
    this.loaded = true;
    this.version++;
  }

  /** The item at `index`, or undefined while its page loads (which this call starts). */
  item(index: number): DatasetItem | undefined {
    const page = Math.floor(index / PAGE_SIZE);
    const items = this.#pages.get(page);
    if (!items) void this.#fetchPage(page);
    return items?.[index % PAGE_SIZE];
  }

  thumbnail(id: number): string | undefined {
    return this.#thumbs.get(id);
  }

  /** Fetches the thumbnails of the items on screen that are not cached yet. */
  async wantThumbnails(items: readonly DatasetItem[]): Promise<void> {
    const ids = items.filter((i) => i.hasImage && !this.#thumbsAsked.has(i.id)).map((i) => i.id);
    for (let at = 0; at < ids.length; at += THUMBS_PER_CALL) {
      const chunk = ids.slice(at, at + THUMBS_PER_CALL);
      for (const id of chunk) this.#thumbsAsked.add(id);
      const result = await this.api.datasetThumbnails({ datasetId: this.datasetId, ids: chunk });
      if (!result.ok) continue;
      for (const t of result.value.thumbnails) this.#thumbs.set(t.id, t.dataUrl);
      this.version++;
    }
  }
}
