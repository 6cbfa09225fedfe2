// The Train view's runs: every pruning run of the workspace (whoever started it: the studio or
// `aptp prune` in a terminal) kept live by the engine's runChanged events; the chosen run's detail
// and metric series (and its per-code sample images), fetched again whenever it changes (at most one request in flight, one more
// queued), decimated by the engine to a fixed number of points whatever the run length; pause,
// resume and cancel; and a second run to compare with. A reloaded page finds everything again from
// the engine: the runs are worker processes recorded in the workspace, not state of this page.
import type { RunSummary } from '../../../shared/studio-runs';
import type { StudioApi, StudioOutput } from '../../../shared/studio-api';
import { chartNames, type MetricSeries } from '../../components/train/run-series';
import type { CodeSample } from '../../components/train/series-math';

export const PRUNE_KIND = 'prune';
/** Points per series the charts ask for: the engine averages buckets of steps beyond it. */
export const CHART_POINTS = 600;
const NAMES_PER_CALL = 32;

export type RunDetail = StudioOutput<'getRun'>;

/** One run's detail and series, as fetched together. */
export interface RunView {
  readonly detail: RunDetail;
  readonly series: ReadonlyMap<string, MetricSeries>;
}

const ACTIVE = new Set(['pending', 'running', 'pausing', 'cancelling']);
export function isActive(run: Pick<RunSummary, 'status'>): boolean {
  return ACTIVE.has(run.status);
}

export class TrainRuns {
  runs = $state.raw<RunSummary[]>([]);
  selectedId = $state<string | null>(null);
  selected = $state.raw<RunView | null>(null);
  compareId = $state<string | null>(null);
  compared = $state.raw<RunView | null>(null);
  error = $state<string | null>(null);
  starting = $state(false);
  /** The chosen run's sample images: the first prompt of each code at each sampled step. */
  samples = $state.raw<CodeSample[]>([]);
  /** Data URLs by the run's image path: a sample image is fetched once. */
  #images = new Map<string, string>();
  #inFlight = new Map<string, Promise<void>>();
  #again = new Set<string>();

  /** The chosen run's summary as the newest event says. */
  readonly summary = $derived(this.runs.find((r) => r.id === this.selectedId) ?? null);

  constructor(private readonly api: StudioApi) {}

  /** Lists the runs, follows their changes, and opens the newest (an active one first). */
  async attach(): Promise<() => void> {
    const stop = this.api.onEvent((e) => {
      if (e.event === 'runChanged' && e.payload.kind === PRUNE_KIND) this.#changed(e.payload);
    });
    const r = await this.api.listRuns({ limit: 200 });
    if (!r.ok) {
      this.error = r.error.message;
      return stop;
    }
    this.runs = r.value.runs.filter((run) => run.kind === PRUNE_KIND);
    const first = this.runs.find(isActive) ?? this.runs[0];
    if (!this.selectedId && first) await this.select(first.id);
    return stop;
  }

  #changed(run: RunSummary): void {
    const known = this.runs.some((r) => r.id === run.id);
    this.runs = known ? this.runs.map((r) => (r.id === run.id ? run : r)) : [run, ...this.runs];
    if (run.id === this.selectedId || run.id === this.compareId) void this.refresh(run.id);
  }

  async select(runId: string): Promise<void> {
    this.selectedId = runId;
    this.selected = null;
    this.samples = [];
    if (this.compareId === runId) this.compare(null);
    await this.refresh(runId);
  }

  compare(runId: string | null): void {
    this.compareId = runId;
    this.compared = null;
    if (runId) void this.refresh(runId);
  }

  /** Fetches a run's detail and series again; coalesces calls that arrive while one is in flight. */
  refresh(runId: string): Promise<void> {
    const busy = this.#inFlight.get(runId);
    if (busy) {
      this.#again.add(runId);
      return busy;
    }
    const work = this.#fetch(runId).finally(() => {
      this.#inFlight.delete(runId);
      if (this.#again.delete(runId)) void this.refresh(runId);
    });
    this.#inFlight.set(runId, work);
    return work;
  }

  async #fetch(runId: string): Promise<void> {
    const detail = await this.api.getRun({ runId });
    if (!detail.ok) {
      this.error = detail.error.message;
      return;
    }
    // A run just started may not have sent its first event yet: list it from its detail.
    if (!this.runs.some((r) => r.id === runId)) this.runs = [detail.value, ...this.runs];
    const { losses, codes, lr, rho } = chartNames(detail.value.metricNames);
    const names = [...losses, ...(lr ? ['lr'] : []), ...(rho ? ['rho/mean', 'rho/min', 'rho/max'] : []), ...codes];
    const series = new Map<string, MetricSeries>();
    for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
      const r = await this.api.runMetrics({ runId, names: names.slice(i, i + NAMES_PER_CALL), maxPoints: CHART_POINTS });
      if (!r.ok) {
        this.error = r.error.message;
        return;
      }
      for (const s of r.value.series) series.set(s.name, s);
    }
    const view = { detail: detail.value, series };
    if (runId === this.selectedId) this.selected = view;
    if (runId === this.compareId) this.compared = view;
    if (runId === this.selectedId) await this.#fetchSamples(runId);
  }

  async #fetchSamples(runId: string): Promise<void> {
    const r = await this.api.runSamples({ runId });
    if (!r.ok) return;
    const first = new Map<string, (typeof r.value.samples)[number]>();
    for (const s of r.value.samples) if (!first.has(`${s.step}/${s.code}`)) first.set(`${s.step}/${s.code}`, s);
    const samples: CodeSample[] = [];
    for (const s of first.values()) {
      let url = this.#images.get(s.imagePath);
      if (url === undefined) {
        const image = await this.api.runSampleImage({ runId, imagePath: s.imagePath });
        if (!image.ok) continue;
        url = image.value.dataUrl;
        this.#images.set(s.imagePath, url);
      }
      samples.push({ code: s.code, step: s.step, prompt: s.prompt, url });
    }
    if (runId === this.selectedId) this.samples = samples;
  }

  async start(config: Parameters<StudioApi['startPrune']>[0]): Promise<boolean> {
    this.starting = true;
    const r = await this.api.startPrune(config);
    this.starting = false;
    if (!r.ok) {
      this.error = r.error.message;
      return false;
    }
    this.error = null;
    await this.select(r.value.runId);
    return true;
  }

  async control(action: 'pause' | 'resume' | 'cancel'): Promise<void> {
    const runId = this.selectedId;
    if (!runId) return;
    const r = action === 'pause' ? await this.api.pauseRun({ runId }) : action === 'cancel' ? await this.api.cancelRun({ runId }) : await this.api.resumeRun({ runId });
    if (!r.ok) {
      this.error = r.error.message;
      return;
    }
    this.error = null;
    this.#changed(r.value.run);
  }
}
