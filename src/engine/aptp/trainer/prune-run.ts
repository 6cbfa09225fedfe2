// The stage-1 training loop: learning rate (constant with linear warm-up, as the reference's
// get_constant_schedule_with_warmup: step s < warm-up runs at s/warm-up of the rate), predictor
// pre-training then code gating, skipped non-finite batches, every step's metrics, checkpoints every
// N steps and on pause and cancel, and resume from the newest checkpoint. Optional hooks record the
// routing at every checkpoint and write per-code samples after a step (neither touches the metrics).
// The context matches a run kind's context in the runs registry (signal, pause request, progress,
// metrics, checkpoint dir).
import { mkdir } from 'node:fs/promises';
import type { JobProgress } from '../../jobs/job';
import type { Gating } from '../router';
import { latestCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint';
import type { PruneStep, RouterState } from './prune-step';

export interface PruneRunContext {
  readonly signal: AbortSignal;
  pauseRequested(): boolean;
  progress(p: JobProgress): void;
  /** Records the metrics of one step (replacing any recorded before for that step). */
  metrics(step: number, values: Readonly<Record<string, number>>): void;
  readonly checkpointDir: string;
  /** After every checkpoint written (pause, cancel, every N steps, the end): records the routing. */
  checkpointed?(step: number, state: RouterState): Promise<void>;
  /** After step `step` (steps finished) and its metrics, before any checkpoint: writes samples when due. */
  stepped?(step: number, state: RouterState): Promise<void>;
}

export interface PruneSchedule {
  readonly steps: number;
  /** The learning rate already scaled by sqrt(global batch). */
  readonly lr: number;
  readonly warmupSteps: number;
  /** Steps that gate the UNet with the predictor's own output (predictor pre-training). */
  readonly pretrainSteps: number;
  readonly checkpointEvery: number;
}

export type PruneRunStatus = 'completed' | 'paused' | 'cancelled';

export interface PruneRunResult {
  readonly status: PruneRunStatus;
  readonly step: number;
  readonly skipped: number;
  readonly state: RouterState;
  readonly checkpoint: string;
}

/** Rate of step `step` (0-based): linear warm-up from 0, then constant. */
export function learningRate(schedule: Pick<PruneSchedule, 'lr' | 'warmupSteps'>, step: number): number {
  return schedule.warmupSteps > 0 && step < schedule.warmupSteps ? (schedule.lr * step) / schedule.warmupSteps : schedule.lr;
}

export async function runPrune(stepper: PruneStep, schedule: PruneSchedule, initial: RouterState, ctx: PruneRunContext): Promise<PruneRunResult> {
  await mkdir(ctx.checkpointDir, { recursive: true });
  const resumeFrom = await latestCheckpoint(ctx.checkpointDir);
  const resumed = resumeFrom ? await loadCheckpoint(resumeFrom) : undefined;
  let state = resumed?.state ?? initial;
  let skipped = resumed?.skipped ?? 0;
  let step = resumed?.step ?? 0;
  const save = async (): Promise<string> => {
    const path = await saveCheckpoint(ctx.checkpointDir, { step, skipped, state });
    await ctx.checkpointed?.(step, state);
    return path;
  };
  const single = stepper.setup.router.kind === 'single';
  while (step < schedule.steps) {
    if (ctx.signal.aborted) return { status: 'cancelled', step, skipped, state, checkpoint: await save() };
    if (ctx.pauseRequested()) return { status: 'paused', step, skipped, state, checkpoint: await save() };
    const gating: Gating = single || step < schedule.pretrainSteps ? 'predictor' : 'code';
    const lr = learningRate(schedule, step);
    const started = performance.now();
    const outcome = await stepper.run(step, gating, lr, state);
    if (!outcome.finite) skipped += 1;
    state = outcome.state;
    const values = { ...outcome.metrics, lr, skipped, ...codeCounts(outcome.assignment, stepper.setup.router.experts), 'time/step': (performance.now() - started) / 1000 };
    ctx.metrics(step, values);
    step += 1;
    await ctx.stepped?.(step, state);
    ctx.progress({ done: step, total: schedule.steps, detail: progressLine(values, stepper.setup.router.experts), metrics: pick(values) });
    if (step % schedule.checkpointEvery === 0 && step < schedule.steps) await save();
  }
  return { status: 'completed', step, skipped, state, checkpoint: await save() };
}

function codeCounts(assignment: readonly number[], experts: number): Record<string, number> {
  if (assignment.length === 0) return {};
  const counts: Record<string, number> = {};
  for (let k = 0; k < experts; k++) counts[`code/${k}`] = 0;
  for (const k of assignment) counts[`code/${k}`] = (counts[`code/${k}`] ?? 0) + 1;
  return counts;
}

const SHOWN = ['loss/total', 'loss/ddpm', 'loss/resource', 'rho/mean'] as const;

function pick(values: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(SHOWN.filter((k) => values[k] !== undefined).map((k) => [k, values[k] as number]));
}

function progressLine(values: Readonly<Record<string, number>>, experts: number): string {
  const parts = SHOWN.filter((k) => values[k] !== undefined).map((k) => `${k.replace('loss/', '')} ${(values[k] as number).toFixed(4)}`);
  const used = Array.from({ length: experts }, (_, k) => values[`code/${k}`]).filter((v): v is number => v !== undefined);
  return used.length ? `${parts.join('  ')}  codes ${used.join('/')}` : parts.join('  ');
}
