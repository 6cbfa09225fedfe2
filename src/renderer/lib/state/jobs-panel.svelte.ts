// The shell's jobs panel: every running and recent job, whoever started it. Runs (imports,
// preparations, prune runs: worker processes recorded in the workspace) come from listRuns and stay
// current through `runChanged` events; the engine host's own jobs (generations) come from the
// session's JobTracker, and after a reload from listJobs. Each row says what it is, where it came
// from (the view that shows it), its progress, and what can be done (Cancel, Pause, Resume).
import type { ErrorInfo, Result } from '../../../shared/result';
import type { StudioApi } from '../../../shared/studio-api';
import type { StudioJobKind } from '../../../shared/studio-jobs';
import type { RunStatusName, RunSummary } from '../../../shared/studio-runs';
import type { JobTracker } from './jobs.svelte';
import type { ViewId } from './navigation.svelte';

export interface JobRow {
  readonly id: string;
  readonly label: string;
  /** Where it came from: the view that shows it, and its name there. */
  readonly view: ViewId;
  readonly source: string;
  readonly status: RunStatusName;
  readonly done: number;
  readonly total: number;
  readonly detail: string;
  readonly error: ErrorInfo | undefined;
  readonly startedAt: string | null;
  readonly isRun: boolean;
}

const KIND_LABELS: Record<string, { label: string; view: ViewId }> = {
  importDataset: { label: 'Import', view: 'dataset' },
  prepareDataset: { label: 'Preparation', view: 'dataset' },
  generateImage: { label: 'Generation', view: 'model' },
  prune: { label: 'Prune run', view: 'routing' },
};

const ACTIVE: readonly RunStatusName[] = ['pending', 'running', 'pausing', 'cancelling'];
export const isActive = (row: JobRow): boolean => ACTIVE.includes(row.status);

function kindOf(kind: string): { label: string; view: ViewId } {
  return KIND_LABELS[kind] ?? { label: kind, view: 'home' };
}

function runRow(run: RunSummary): JobRow {
  const { label, view } = kindOf(run.kind);
  const dataset = run.resource?.startsWith('dataset:') ? run.resource.slice('dataset:'.length).split(/[\\/]/).filter(Boolean).pop() : undefined;
  const source = dataset ? `dataset ${dataset}` : (run.resource ?? `run ${run.id.slice(0, 8)}`);
  return { id: run.id, label, view, source, status: run.status, ...run.progress, error: run.error ?? undefined, startedAt: run.startedAt ?? run.createdAt, isRun: true };
}

export class JobsPanel {
  #runs = $state<RunSummary[]>([]);
  /** Host jobs found by listJobs after a reload (the tracker knows only what it heard). */
  #found = $state<Array<{ jobId: string; kind: StudioJobKind }>>([]);
  error = $state<ErrorInfo | undefined>(undefined);
  readonly #stop: () => void;

  readonly rows = $derived.by((): JobRow[] => {
    const runIds = new Set(this.#runs.map((r) => r.id));
    const tracked = this.jobs.all().filter((j) => !runIds.has(j.jobId));
    const hostIds = new Set([...tracked.map((j) => j.jobId), ...this.#found.map((j) => j.jobId)]);
    const host = [...hostIds].map((id): JobRow => {
      const job = this.jobs.get(id);
      const kind = tracked.find((j) => j.jobId === id)?.kind ?? this.#found.find((j) => j.jobId === id)?.kind ?? 'generateImage';
      const end = job.finished?.result;
      const status: RunStatusName = !end ? 'running' : end.ok ? 'completed' : end.error.code === 'cancelled' ? 'cancelled' : 'failed';
      const { label, view } = kindOf(kind);
      return { id, label, view, source: 'this studio', status, done: job.progress?.done ?? 0, total: job.progress?.total ?? 0, detail: job.progress?.detail ?? '', error: end && !end.ok ? end.error : undefined, startedAt: null, isRun: false };
    });
    return [...host.reverse(), ...this.#runs.map(runRow)];
  });
  readonly running = $derived(this.rows.filter(isActive).length);

  constructor(private readonly api: StudioApi, private readonly jobs: JobTracker) {
    this.#stop = api.onEvent((event) => {
      if (event.event === 'runChanged') this.#upsert(event.payload);
    });
  }

  #upsert(run: RunSummary): void {
    const others = this.#runs.filter((r) => r.id !== run.id);
    this.#runs = [run, ...others].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, 30);
  }

  async refresh(): Promise<void> {
    const [runs, running] = await Promise.all([this.api.listRuns({ limit: 30 }), this.api.listJobs()]);
    if (runs.ok) this.#runs = runs.value.runs;
    if (running.ok) {
      for (const j of running.value.jobs) if (j.progress) this.jobs.seed(j.progress);
      this.#found = running.value.jobs.map(({ jobId, kind }) => ({ jobId, kind }));
    }
    this.error = !runs.ok ? runs.error : !running.ok ? running.error : undefined;
  }

  cancel(row: JobRow): Promise<void> {
    return this.#act(row.isRun ? this.api.cancelRun({ runId: row.id }) : this.api.cancelJob({ jobId: row.id }));
  }

  pause(row: JobRow): Promise<void> {
    return this.#act(this.api.pauseRun({ runId: row.id }));
  }

  resume(row: JobRow): Promise<void> {
    return this.#act(this.api.resumeRun({ runId: row.id }));
  }

  async #act(request: Promise<Result<unknown>>): Promise<void> {
    const result = await request;
    this.error = result.ok ? undefined : result.error;
  }

  dispose(): void {
    this.#stop();
  }
}
