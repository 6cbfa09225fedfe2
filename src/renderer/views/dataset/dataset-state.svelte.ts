// One imported dataset as the view shows it: the report, the category filter and caption search,
// and a virtualised item grid fed page by page (pages and thumbnails cached, fetched only for the
// rows on screen), so 100k items scroll without holding them all.
import type { DatasetItem } from '../../../shared/dataset-api';
import type { ErrorInfo } from '../../../shared/result';
import type { StudioApi, StudioOutput } from '../../../shared/studio-api';

export const PAGE_SIZE = 200;
const THUMBS_PER_CALL = 64;

export class DatasetState {
  report = $state<StudioOutput<'datasetReport'> | undefined>(undefined);
  category = $state<string | undefined>(undefined);
  search = $state('');
  total = $state(0);
  error = $state<ErrorInfo | undefined>(undefined);
  /** Bumped when pages or thumbnails arrive, so the grid re-reads the caches. */
  version = $state(0);
  #pages = new Map<number, DatasetItem[]>();
  #pending = new Set<number>();
  #thumbs = new Map<number, string>();
  #thumbsAsked = new Set<number>();
  #query = 0;

  constructor(private readonly api: StudioApi, readonly datasetId: string) {}

  async load(): Promise<void> {
    const result = await this.api.datasetReport({ datasetId: this.datasetId });
    if (result.ok) this.report = result.value;
    else this.error = result.error;
    await this.#reset();
  }

  async filter(category: string | undefined): Promise<void> {
    this.category = category;
    await this.#reset();
  }

  async find(search: string): Promise<void> {
    this.search = search;
    await this.#reset();
  }

  async #reset(): Promise<void> {
    this.#query++;
    this.#pages.clear();
    this.#pending.clear();
    await this.#fetchPage(0);
  }

  async #fetchPage(page: number): Promise<void> {
    if (this.#pages.has(page) || this.#pending.has(page)) return;
    this.#pending.add(page);
    const query = this.#query;
    const result = await this.api.datasetItems({
      datasetId: this.datasetId, offset: page * PAGE_SIZE, limit: PAGE_SIZE,
      ...(this.category ? { category: this.category } : {}), ...(this.search ? { search: this.search } : {}),
    });
    if (query !== this.#query) return;
    this.#pending.delete(page);
    if (!result.ok) {
      this.error = result.error;
      return;
    }
    this.#pages.set(page, result.value.items);
    this.total = result.value.total;
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
