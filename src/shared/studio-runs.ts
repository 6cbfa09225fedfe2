// Runs in the StudioApi: long work (import, preparation, and later pruning and fine-tuning) runs in
// its own worker process and is recorded in the workspace database; the studio lists them, reads
// one, pauses, resumes and cancels them (requests the worker picks up), and reads metric series
// decimated on the engine side. Every change of a run reaches the studio as a `runChanged` event,
// whoever started the run (the studio, or `aptp` in a terminal). Contracts only.
import { z } from 'zod';
import { errorInfoSchema } from './result';

/** Kept equal to the engine's migration list (a test checks). */
export const runStatusSchema = z.enum(['pending', 'running', 'pausing', 'paused', 'cancelling', 'cancelled', 'interrupted', 'completed', 'failed']);
export type RunStatusName = z.output<typeof runStatusSchema>;

const runId = z.string().min(1).max(100);
const runIdInput = z.object({ runId }).strict();

export const runSummarySchema = z.object({
  id: runId,
  kind: z.string(),
  status: runStatusSchema,
  progress: z.object({ done: z.number().int().nonnegative(), total: z.number().int().nonnegative(), detail: z.string() }),
  requested: z.enum(['pause', 'cancel']).nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: errorInfoSchema.nullable(),
  /** Workers started so far (1 + resumes). */
  attempts: z.number().int().nonnegative(),
  /** What the run writes exclusively (a dataset), if anything. */
  resource: z.string().nullable(),
});
export type RunSummary = z.output<typeof runSummarySchema>;

export const runDetailSchema = runSummarySchema.extend({
  config: z.record(z.string(), z.unknown()),
  result: z.unknown(),
  metricNames: z.array(z.string()),
});

export const listRuns = {
  input: z.object({ limit: z.number().int().min(1).max(1000).default(100) }).strict(),
  output: z.object({ runs: z.array(runSummarySchema) }),
};
export const getRun = { input: runIdInput, output: runDetailSchema };
/** Asks a run to pause or cancel; `requested` false when it is already past that. */
const control = { input: runIdInput, output: z.object({ requested: z.boolean(), run: runSummarySchema }) };
export const pauseRun = control;
export const cancelRun = control;
/** Starts a new worker for a paused, interrupted or failed run; it continues from its checkpoint. */
export const resumeRun = { input: runIdInput, output: z.object({ run: runSummarySchema }) };

export const metricPointSchema = z.object({ step: z.number().int().nonnegative(), value: z.number(), min: z.number(), max: z.number() });
export const runMetrics = {
  input: z.object({
    runId,
    names: z.array(z.string().min(1).max(200)).min(1).max(32),
    fromStep: z.number().int().nonnegative().optional(),
    toStep: z.number().int().nonnegative().optional(),
    /** At most this many points per series: buckets of consecutive steps (mean, min, max). */
    maxPoints: z.number().int().min(2).max(10_000).default(1000),
  }).strict(),
  output: z.object({
    series: z.array(z.object({ name: z.string(), points: z.array(metricPointSchema), totalPoints: z.number().int().nonnegative() })),
  }),
};

/** The event every change of any run sends. */
export const runChangedSchema = runSummarySchema;
