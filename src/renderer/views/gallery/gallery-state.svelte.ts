// The Gallery's state: the workspace's generations newest first (a page at a time), their thumbnails
// (asked once each), the one opened with its whole PNG, and deleting one. The engine keeps the images
// and their settings; this only reads them. The open image is remembered across a reload.
import { z } from 'zod';
import { SvelteMap } from 'svelte/reactivity';
import type { GenerationRecord } from '../../../shared/history-api';
import type { ErrorInfo } from '../../../shared/result';
import type { StudioApi } from '../../../shared/studio-api';
import { remember } from '../../lib/state/view-state.svelte';

const PAGE = 60;

export class GalleryState {
  generations = $state<GenerationRecord[]>([]);
  total = $state(0);
  loading = $state(false);
  error = $state<ErrorInfo | undefined>(undefined);
  /** Thumbnail data URLs by generation id; an id maps to '' while asked for. */
  readonly thumbnails = new SvelteMap<string, string>();
  openId = $state<string | undefined>(undefined);
  /** The opened image's whole PNG (with its text chunks), to show and to save. */
  full = $state<{ id: string; dataUrl: string; fileName: string } | undefined>(undefined);
  readonly opened = $derived(this.generations.find((g) => g.id === this.openId));

  /** Stops remembering (the view made this state and is going away). */
  readonly dispose: () => void;

  constructor(private readonly api: StudioApi) {
    this.dispose = remember('gallery', z.object({ openId: z.string().optional() }), () => ({ openId: this.openId }), (saved) => (this.openId = saved.openId));
  }

  /** Lists the newest page again (after a generation, or on entering the view). */
  async refresh(): Promise<void> {
    this.loading = true;
    const result = await this.api.listGenerations({ limit: Math.max(PAGE, this.generations.length) });
    this.loading = false;
    if (!result.ok) {
      this.error = result.error;
      return;
    }
    this.error = undefined;
    [this.generations, this.total] = [result.value.generations, result.value.total];
    if (this.openId !== undefined) void this.open(this.openId);
  }

  async more(): Promise<void> {
    const result = await this.api.listGenerations({ limit: PAGE, offset: this.generations.length });
    if (result.ok) this.generations = [...this.generations, ...result.value.generations.filter((g) => !this.generations.some((h) => h.id === g.id))];
    else this.error = result.error;
  }

  async thumbnail(id: string): Promise<void> {
    if (this.thumbnails.has(id)) return;
    this.thumbnails.set(id, '');
    const result = await this.api.generationImage({ id, thumbnail: true });
    if (result.ok) this.thumbnails.set(id, result.value.dataUrl);
    else this.error = result.error;
  }

  async open(id: string): Promise<void> {
    this.openId = id;
    if (this.full?.id === id) return;
    this.full = undefined;
    const result = await this.api.generationImage({ id });
    if (this.openId !== id) return;
    if (result.ok) this.full = { id, ...result.value };
    else this.error = result.error;
  }

  close(): void {
    this.openId = undefined;
    this.full = undefined;
  }

  async remove(id: string): Promise<void> {
    const result = await this.api.deleteGeneration({ id });
    if (!result.ok) {
      this.error = result.error;
      return;
    }
    if (this.openId === id) this.close();
    this.thumbnails.delete(id);
    this.generations = this.generations.filter((g) => g.id !== id);
    this.total = Math.max(0, this.total - 1);
  }
}
