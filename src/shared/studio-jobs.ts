// Long-running jobs in the StudioApi: a request that starts a job answers with its id at once;
// the engine then emits `jobStarted {jobId, kind}` (nobody infers a kind from a method name),
// streams `jobProgress` events and ends every job with exactly one `jobFinished`
// event carrying a Result (the job kind's value, or an error value; cancellation is the error
// code 'cancelled'). `cancelJob` asks a running job to stop between its steps; `listJobs` names the
// jobs running now. Contracts only.
import { z } from 'zod';
import { errorInfoSchema } from './result';
import { datasetImportedSchema, datasetPreparedSchema, importDatasetInputSchema, prepareDatasetInputSchema } from './dataset-api';
import { datasetExportedSchema, exportDatasetInputSchema } from './dataset-manage-api';
import { generatedImageSchema, generateImageInputSchema } from './studio-model';

export const jobIdSchema = z.string().min(1).max(100);

/**
 * The one table of job kinds: the request that starts each (its input) and what it produces when it
 * succeeds. The starting requests, the result, progress and finished schemas all derive from it, so
 * a new kind is one entry here (and its handler, which the StudioHandlers type then demands).
 */
export const studioJobKinds = {
  generateImage: { input: generateImageInputSchema, result: generatedImageSchema },
  importDataset: { input: importDatasetInputSchema, result: datasetImportedSchema },
  prepareDataset: { input: prepareDatasetInputSchema, result: datasetPreparedSchema },
  exportDataset: { input: exportDatasetInputSchema, result: datasetExportedSchema },
} as const;

export type StudioJobKind = keyof typeof studioJobKinds;
type JobKindTable = typeof studioJobKinds;
const jobKinds = Object.keys(studioJobKinds) as StudioJobKind[];

/** What each kind of job produces when it succeeds. */
export const studioJobResults = Object.fromEntries(jobKinds.map((k) => [k, studioJobKinds[k].result])) as { readonly [K in StudioJobKind]: JobKindTable[K]['result'] };
export type StudioJobValue<K extends StudioJobKind> = z.output<(typeof studioJobResults)[K]>;
export const jobKindSchema = z.enum(Object.keys(studioJobResults) as [StudioJobKind, ...StudioJobKind[]]);

export function isStudioJobKind(kind: string): kind is StudioJobKind {
  return Object.hasOwn(studioJobResults, kind);
}

/** A request that starts a job answers with the job's id. */
export const jobStartedSchema = z.object({ jobId: jobIdSchema });

/** The requests that start a job, one per kind, named after it: the kind's input, answered with the job id. */
export const jobRequests = Object.fromEntries(jobKinds.map((k) => [k, { input: studioJobKinds[k].input, output: jobStartedSchema }])) as {
  readonly [K in StudioJobKind]: { readonly input: JobKindTable[K]['input']; readonly output: typeof jobStartedSchema };
};

/** The first event of every job. */
export const jobStartedEventSchema = z.object({ jobId: jobIdSchema, kind: jobKindSchema });

export const jobProgressSchema = z.object({
  jobId: jobIdSchema,
  kind: jobKindSchema,
  /** Steps finished so far, of `total`. */
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  detail: z.string().max(2000).default(''),
  metrics: z.record(z.string(), z.number()).default({}),
});

function finishedOf<K extends StudioJobKind>(kind: K) {
  return z.object({
    jobId: jobIdSchema,
    kind: z.literal(kind),
    result: z.discriminatedUnion('ok', [
      z.object({ ok: z.literal(true), value: studioJobResults[kind] }),
      z.object({ ok: z.literal(false), error: errorInfoSchema }),
    ]),
  });
}

type FinishedSchema = { [K in StudioJobKind]: ReturnType<typeof finishedOf<K>> }[StudioJobKind];

/** The one last event of every job, discriminated by kind so the value is typed. */
export const jobFinishedSchema = z.discriminatedUnion('kind', jobKinds.map((k) => finishedOf(k)) as unknown as [FinishedSchema, ...FinishedSchema[]]);

export const cancelJob = {
  input: z.object({ jobId: jobIdSchema }).strict(),
  /** False when no such job is running (already finished, or never started). */
  output: z.object({ cancelled: z.boolean() }),
};

/** The jobs running now, with their latest progress: how a reloaded page finds a job again. */
export const listJobs = {
  input: z.object({}).strict(),
  output: z.object({ jobs: z.array(z.object({ jobId: jobIdSchema, kind: jobKindSchema, progress: jobProgressSchema.nullable() })) }),
};

export type JobStartedEvent = z.output<typeof jobStartedEventSchema>;
export type JobProgressEvent = z.output<typeof jobProgressSchema>;
export type JobFinishedEvent = z.output<typeof jobFinishedSchema>;
