// The studio's handlers for runs: import and preparation start runs (worker processes; the job id
// the studio follows is the run id), and list, read, pause, resume, cancel and metric series of any
// run, whoever started it. Dead workers are noticed on every read.
import type { StudioHandlers } from '../../shared/studio-api';
import { isStudioJobKind, type JobProgressEvent, type StudioJobKind } from '../../shared/studio-jobs';
import type { RunSummary } from '../../shared/studio-runs';
import { checkDatasetPath } from '../data/detect';
import { checkExport } from '../data/export-subset';
import { readRun, requestRun, resumeRun, startRun } from '../runs/launcher';
import { markDeadWorkers } from '../runs/liveness';
import type { Run } from '../store/repositories/runs';
import type { Workspace } from '../store/workspace';

type RunHandlers = Pick<StudioHandlers, 'importDataset' | 'prepareDataset' | 'exportDataset' | 'listRuns' | 'getRun' | 'pauseRun' | 'resumeRun' | 'cancelRun' | 'runMetrics'>;

function errorOf(run: Run): RunSummary['error'] {
  const e = run.error as { code?: unknown; message?: unknown; details?: unknown } | null;
  if (!e) return null;
  const details = e.details && typeof e.details === 'object' ? (e.details as Record<string, unknown>) : {};
  return { code: typeof e.code === 'string' ? e.code : 'failed', message: typeof e.message === 'string' ? e.message : JSON.stringify(e), details };
}

export function runSummary(run: Run): RunSummary {
  return {
    id: run.id, kind: run.kind, status: run.status, progress: { ...run.progress }, requested: run.requested,
    createdAt: run.createdAt, startedAt: run.startedAt, finishedAt: run.finishedAt, error: errorOf(run), attempts: run.attempts, resource: run.resource,
  };
}

/** Cancels the run `jobId` when it is one that can still be cancelled. */
export function cancelRunJob(ws: Workspace, jobId: string): boolean {
  return ws.runs.get(jobId) !== undefined && requestRun(ws, jobId, 'cancel');
}

/** Active runs of a studio job kind, as listJobs entries (how a reloaded page finds them). */
export function runJobs(ws: Workspace): Array<{ jobId: string; kind: StudioJobKind; progress: JobProgressEvent }> {
  markDeadWorkers(ws);
  return ws.runs.active().flatMap((run) => {
    if (!isStudioJobKind(run.kind)) return [];
    const kind = run.kind;
    return [{ jobId: run.id, kind, progress: { jobId: run.id, kind, done: run.progress.done, total: run.progress.total, detail: run.progress.detail, metrics: {} } }];
  });
}

export function runHandlers(workspace: () => Workspace): RunHandlers {
  return {
    importDataset: async ({ path, format, captionColumn }) => {
      // A single file is read only as a prompts file the user chose; refused here, before a run starts.
      await checkDatasetPath({ path, ...(format ? { format } : {}) });
      const run = await startRun(workspace(), 'importDataset', { path, ...(format ? { format } : {}), ...(captionColumn ? { captionColumn } : {}) });
      return { jobId: run.id };
    },
    prepareDataset: async (input) => ({ jobId: (await startRun(workspace(), 'prepareDataset', input)).id }),
    exportDataset: async (input) => {
      // A non-empty target (without force) or a prompts dataset is refused before a run is recorded.
      await checkExport(workspace(), input);
      return { jobId: (await startRun(workspace(), 'exportDataset', input)).id };
    },
    listRuns: async ({ limit }) => {
      const ws = workspace();
      markDeadWorkers(ws);
      return { runs: ws.runs.list(limit).map(runSummary) };
    },
    getRun: async ({ runId }) => {
      const ws = workspace();
      const run = readRun(ws, ws.runs.byPrefix(runId).id);
      return { ...runSummary(run), config: { ...run.config }, result: run.result, metricNames: ws.metrics.names(run.id) };
    },
    pauseRun: async ({ runId }) => {
      const ws = workspace();
      const requested = requestRun(ws, runId, 'pause');
      return { requested, run: runSummary(ws.runs.require(runId)) };
    },
    cancelRun: async ({ runId }) => {
      const ws = workspace();
      const requested = requestRun(ws, runId, 'cancel');
      return { requested, run: runSummary(ws.runs.require(runId)) };
    },
    resumeRun: async ({ runId }) => ({ run: runSummary(resumeRun(workspace(), runId)) }),
    runMetrics: async ({ runId, names, fromStep, toStep, maxPoints }) => {
      const ws = workspace();
      ws.runs.require(runId);
      const series = names.map((name) => {
        const { points, total } = ws.metrics.decimated(runId, name, fromStep ?? 0, toStep ?? Number.MAX_SAFE_INTEGER, maxPoints);
        return { name, points, totalPoints: total };
      });
      return { series };
    },
  };
}
