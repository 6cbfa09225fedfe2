// The Routing view's state: the routed runs, the chosen run's map (as typed columns), search
// matches, the chosen expert (its prompts ranked by margin), the lasso selection, the expensive
// prompts, the point under the pointer, and thumbnails fetched on demand. What the map emphasises
// follows one rule: a lasso selection, else search matches, else the chosen expert's prompts.
import type { ExpensivePrompts, RoutedRunSummary, RoutingMap } from '../../../shared/routing-api';
import type { StudioApi } from '../../../shared/studio-api';
import { mapDataOf, type ListedPrompt, type MapData } from '../../components/routing/map-data';

const SELECTION_LISTED = 200;
const THUMBNAILS_PER_CALL = 64;

export class RoutingState {
  runs = $state.raw<RoutedRunSummary[]>([]);
  runId = $state<string | null>(null);
  map = $state.raw<RoutingMap | null>(null);
  data = $state.raw<MapData | null>(null);
  loading = $state(false);
  error = $state<string | null>(null);
  search = $state('');
  matches = $state.raw<Uint8Array | null>(null);
  matchCount = $state(0);
  chosenExpert = $state<number | null>(null);
  expertPrompts = $state.raw<ListedPrompt[]>([]);
  expertTotal = $state(0);
  selection = $state.raw<number[]>([]);
  expensive = $state.raw<ExpensivePrompts | null>(null);
  hovered = $state<number | null>(null);
  hoverAt = $state({ x: 0, y: 0 });
  thumbnails = $state.raw<ReadonlyMap<number, string>>(new Map());
  #asked = new Set<number>();

  readonly emphasis = $derived.by((): Uint8Array | null => {
    const data = this.data;
    if (!data) return null;
    if (this.selection.length > 0) {
      const mask = new Uint8Array(data.count);
      for (const i of this.selection) mask[i] = 1;
      return mask;
    }
    if (this.matches) return this.matches;
    if (this.chosenExpert !== null) return Uint8Array.from(data.expert, (e) => (e === this.chosenExpert ? 1 : 0));
    return null;
  });

  readonly selectedPrompts = $derived(this.selection.slice(0, SELECTION_LISTED).map((i) => this.listed(i)));

  constructor(private readonly api: StudioApi) {}

  async loadRuns(): Promise<void> {
    const r = await this.api.routingRuns();
    if (!r.ok) {
      this.error = r.error.message;
      return;
    }
    this.runs = r.value.runs;
    if (!this.runId && this.runs[0]) await this.open(this.runs[0].runId);
  }

  async open(runId: string): Promise<void> {
    this.runId = runId;
    this.loading = true;
    this.error = null;
    this.#reset();
    const [map, expensive] = await Promise.all([this.api.routingMap({ runId }), this.api.expensivePrompts({ runId, limit: 50, words: 12 })]);
    this.loading = false;
    if (!map.ok) {
      this.error = map.error.message;
      return;
    }
    this.map = map.value;
    this.data = mapDataOf(map.value.points);
    this.expensive = expensive.ok ? expensive.value : null;
  }

  #reset(): void {
    this.map = null;
    this.data = null;
    this.selection = [];
    this.matches = null;
    this.matchCount = 0;
    this.chosenExpert = null;
    this.expertPrompts = [];
    this.hovered = null;
    this.thumbnails = new Map();
    this.#asked.clear();
  }

  /** The prompt at map index i, as lists show it. */
  listed(i: number): ListedPrompt {
    const p = this.map!.points;
    return { index: i, itemId: p.itemId[i]!, prompt: p.prompt[i]!, expert: p.expert[i] ?? null, margin: p.margin[i] ?? null };
  }

  /** Case-insensitive substring search over every prompt; empty clears. */
  find(text: string): void {
    this.search = text;
    const needle = text.trim().toLowerCase();
    const prompts = this.map?.points.prompt;
    if (!needle || !prompts) {
      this.matches = null;
      this.matchCount = 0;
      return;
    }
    const mask = new Uint8Array(prompts.length);
    let n = 0;
    prompts.forEach((p, i) => {
      if (p.toLowerCase().includes(needle)) {
        mask[i] = 1;
        n++;
      }
    });
    this.matches = mask;
    this.matchCount = n;
    this.selection = [];
  }

  async chooseExpert(expert: number | null): Promise<void> {
    this.chosenExpert = expert;
    this.selection = [];
    this.expertPrompts = [];
    if (expert === null || !this.runId) return;
    const r = await this.api.expertPrompts({ runId: this.runId, expert, offset: 0, limit: 50 });
    if (!r.ok || this.chosenExpert !== expert) return;
    const indexOf = new Map(this.map!.points.itemId.map((id, i) => [id, i]));
    this.expertTotal = r.value.total;
    this.expertPrompts = r.value.prompts.map((p) => ({ ...p, index: indexOf.get(p.itemId) }));
    void this.fetchThumbnails(this.expertPrompts.map((p) => p.itemId));
  }

  select(indices: number[]): void {
    this.selection = indices;
    void this.fetchThumbnails(indices.slice(0, SELECTION_LISTED).map((i) => this.map!.points.itemId[i]!));
  }

  hover(index: number | null, at: { x: number; y: number }): void {
    this.hovered = index;
    this.hoverAt = at;
    if (index !== null) void this.fetchThumbnails([this.map!.points.itemId[index]!]);
  }

  /** Asks the engine for thumbnails not asked for yet (items without an image get none). */
  async fetchThumbnails(itemIds: readonly number[]): Promise<void> {
    const datasetId = this.map?.datasetId;
    const ids = itemIds.filter((id) => !this.#asked.has(id));
    if (!datasetId || ids.length === 0) return;
    for (const id of ids) this.#asked.add(id);
    for (let i = 0; i < ids.length; i += THUMBNAILS_PER_CALL) {
      const r = await this.api.datasetThumbnails({ datasetId, ids: ids.slice(i, i + THUMBNAILS_PER_CALL) });
      if (!r.ok || r.value.thumbnails.length === 0) continue;
      const next = new Map(this.thumbnails);
      for (const t of r.value.thumbnails) next.set(t.id, t.dataUrl);
      this.thumbnails = next;
    }
  }
}
