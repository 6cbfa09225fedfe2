// Home's "recent work": the models generated with lately (from the workspace's kept generations),
// the datasets imported, and the latest runs, each read from the engine, plus the one next step
// that follows from what exists (open a model, import a dataset, prepare it, prune).
import type { GenerationRecord } from '../../../shared/history-api';
import type { ErrorInfo } from '../../../shared/result';
import type { StudioApi, StudioOutput } from '../../../shared/studio-api';
import type { RunSummary } from '../../../shared/studio-runs';

export type Dataset = StudioOutput<'listDatasets'>['datasets'][number];

export interface RecentModel {
  readonly path: string;
  readonly lastUsed: string;
  readonly images: number;
  /** The newest generation with it: reusing it opens the model as it was opened then. */
  readonly latest: GenerationRecord;
}

export class RecentWork {
  models = $state<RecentModel[]>([]);
  datasets = $state<Dataset[]>([]);
  runs = $state<RunSummary[]>([]);
  error = $state<ErrorInfo | undefined>(undefined);
  loaded = $state(false);

  readonly nextStep = $derived.by((): { text: string; view: 'model' | 'dataset' | 'routing' } => {
    if (this.models.length === 0) return { text: 'Open a Stable Diffusion model and generate an image to check it works here.', view: 'model' };
    if (this.datasets.length === 0) return { text: 'Import your image-caption dataset: the studio checks every item and reports what is wrong.', view: 'dataset' };
    if (!this.runs.some((r) => r.kind === 'prepareDataset' && r.status === 'completed')) return { text: 'Prepare the dataset for your model (latents and text states are cached once).', view: 'dataset' };
    return { text: 'Prune the model with APTP on the prepared dataset, then see how prompts are routed.', view: 'routing' };
  });

  constructor(private readonly api: StudioApi) {}

  async refresh(): Promise<void> {
    const [generations, datasets, runs] = await Promise.all([this.api.listGenerations({ limit: 200 }), this.api.listDatasets(), this.api.listRuns({ limit: 5 })]);
    if (generations.ok) this.models = recentModels(generations.value.generations);
    if (datasets.ok) this.datasets = [...datasets.value.datasets].sort((a, b) => (b.importedAt ?? '').localeCompare(a.importedAt ?? '')).slice(0, 5);
    if (runs.ok) this.runs = runs.value.runs;
    const failed = [generations, datasets, runs].find((r) => !r.ok);
    this.error = failed && !failed.ok ? failed.error : undefined;
    this.loaded = true;
  }
}

/** Distinct models of `generations` (newest first), at most five. */
function recentModels(generations: readonly GenerationRecord[]): RecentModel[] {
  const byPath = new Map<string, RecentModel>();
  for (const g of generations) {
    const known = byPath.get(g.model);
    byPath.set(g.model, known ? { ...known, images: known.images + 1 } : { path: g.model, lastUsed: g.createdAt, images: 1, latest: g });
  }
  return [...byPath.values()].slice(0, 5);
}
