// The unit every long job plugs into: a run kind is `{ kind, configSchema, resource?, run(ctx) }`.
// The worker process gives `run` a RunContext: the cancel signal, pause requests, progress, metric
// points (into metric_series), a checkpoint folder and the last saved checkpoint state, and the
// run's record. What `run` returns (JSON-safe) is the run's result.
import type { z } from 'zod';
import { EngineError } from '../core/errors';
import type { JobContext, JobProgress } from '../jobs/job';
import type { Run } from '../store/repositories/runs';
import type { Workspace } from '../store/workspace';

export interface RunContext<C> extends JobContext {
  readonly run: Run;
  readonly config: C;
  readonly workspace: Workspace;
  /** Aborted when the run is cancelled, and for kinds with `pause: 'abort'` when it is paused. */
  readonly signal: AbortSignal;
  /** True once a remote asked this run to pause. */
  pauseRequested(): boolean;
  /** Call at a safe point after saving a checkpoint: stops the run as paused when a pause was asked. */
  pausePoint(): void;
  progress(p: JobProgress): void;
  /** Records one point of a metric series; a resumed run rewriting a step replaces it. */
  metric(step: number, name: string, value: number): void;
  /** This run's own folder for checkpoint files (write to a temporary name, then rename). */
  readonly checkpointDir: string;
  /** The state saved by the last `saveCheckpoint` of any earlier worker of this run, or null. */
  lastCheckpoint(): unknown;
  saveCheckpoint(state: unknown): void;
}

export interface RunKind<C = unknown, R = unknown> {
  readonly kind: string;
  readonly configSchema: z.ZodType<C>;
  /**
   * How a pause reaches the work: 'abort' aborts the signal (the kind keeps its finished steps, so
   * a resume continues); 'cooperative' only sets pauseRequested() and the kind calls pausePoint().
   */
  readonly pause: 'abort' | 'cooperative';
  /** What the run writes exclusively ('dataset:/abs/path'); one active run per resource. */
  resource?(config: C, workspace: Workspace): Promise<string | null>;
  run(ctx: RunContext<C>): Promise<R>;
}

/** Thrown by pausePoint(); the worker records the run as paused. */
export class RunPaused extends EngineError {
  constructor() {
    super('cancelled', 'The run was paused; `aptp runs resume` continues it from its last checkpoint.', { paused: true });
  }
}

/** Keeps the config type of a kind when it goes into the registry's table. */
export function defineRunKind<C, R>(kind: RunKind<C, R>): RunKind<C, R> {
  return kind;
}
