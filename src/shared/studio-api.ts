// The StudioApi: every request the studio can make of the engine and every event the engine streams
// back, declared once as zod schemas. Types derive from the tables, so adding an endpoint is one
// entry in `studioRequests`, and a handler table missing it (StudioHandlers) fails to compile.
// Both transports (Electron IPC, WebSocket) carry exactly these shapes; see studio-wire.ts.
import { z } from 'zod';
import * as datasetApi from './dataset-api';
import * as datasetManageApi from './dataset-manage-api';
import * as historyApi from './history-api';
import { machineInfoSchema } from './machine-info';
import * as pruneApi from './prune-api';
import * as routingApi from './routing-api';
import * as worldApi from './world-api';
import type { Result } from './result';
import { cancelJob, jobFinishedSchema, jobProgressSchema, jobRequests, jobStartedEventSchema, listJobs } from './studio-jobs';
import * as runsApi from './studio-runs';
import { inspectModel } from './studio-model';

const noInput = z.object({}).strict();

/** Request table: method name -> input and output schemas. */
export const studioRequests = {
  ping: {
    input: noInput,
    output: z.object({ pong: z.literal(true), engineTime: z.number() }),
  },
  getMachineInfo: {
    input: noInput,
    output: machineInfoSchema,
  },
  listDirectory: datasetApi.listDirectory,
  detectDataset: datasetApi.detectDataset,
  listDatasets: datasetApi.listDatasets,
  datasetReport: datasetApi.datasetReport,
  datasetItems: datasetApi.datasetItems,
  datasetThumbnails: datasetApi.datasetThumbnails,
  renameDataset: datasetManageApi.renameDataset,
  deleteDataset: datasetManageApi.deleteDataset,
  datasetItem: datasetManageApi.datasetItem,
  datasetImage: datasetManageApi.datasetImage,
  setItemsExcluded: datasetManageApi.setItemsExcluded,
  inspectModel,
  /** The requests that start a job (importDataset, prepareDataset, generateImage): from the job-kind table. */
  ...jobRequests,
  cancelJob,
  listJobs,
  /** MACs at the budget, the prunable target and the memory a micro-batch step needs, before starting. */
  pruneEstimate: pruneApi.pruneEstimate,
  /** Starts an APTP stage-1 run in its own worker process; follow it with the runs API. */
  startPrune: pruneApi.startPrune,
  runSamples: pruneApi.runSamples,
  runSampleImage: pruneApi.runSampleImage,
  routingRuns: routingApi.routingRuns,
  routingMap: routingApi.routingMap,
  expertPrompts: routingApi.expertPrompts,
  expensivePrompts: routingApi.expensivePrompts,
  builtInWorld: worldApi.builtInWorld,
  importBuiltInWorld: worldApi.importBuiltInWorld,
  listRuns: runsApi.listRuns,
  getRun: runsApi.getRun,
  pauseRun: runsApi.pauseRun,
  resumeRun: runsApi.resumeRun,
  cancelRun: runsApi.cancelRun,
  runMetrics: runsApi.runMetrics,
  listGenerations: historyApi.listGenerations,
  generationImage: historyApi.generationImage,
  deleteGeneration: historyApi.deleteGeneration,
  /** Times real training steps of a pruning configuration on this machine's execution provider (cached per shape). */
  pruneProbe: pruneApi.pruneProbe,
} as const;

/** Event table: event name -> payload schema. */
export const studioEvents = {
  jobStarted: jobStartedEventSchema,
  jobProgress: jobProgressSchema,
  jobFinished: jobFinishedSchema,
  /** Any run changed (status, progress, request), whoever started it. */
  runChanged: runsApi.runChangedSchema,
} as const;

export type StudioMethod = keyof typeof studioRequests;
export type StudioEventName = keyof typeof studioEvents;
export type StudioInput<M extends StudioMethod> = z.input<(typeof studioRequests)[M]['input']>;
export type StudioOutput<M extends StudioMethod> = z.output<(typeof studioRequests)[M]['output']>;
export type StudioEventPayload<E extends StudioEventName> = z.output<(typeof studioEvents)[E]>;

export const studioMethods = Object.keys(studioRequests) as StudioMethod[];

export function isStudioMethod(name: unknown): name is StudioMethod {
  return typeof name === 'string' && Object.hasOwn(studioRequests, name);
}

/** The event envelope: every streamed event, whatever the transport. */
export type StudioEvent = { [E in StudioEventName]: { event: E; payload: StudioEventPayload<E> } }[StudioEventName];

export type StudioEventListener = (event: StudioEvent) => void;

/** Arguments of a call: optional when the input has no required fields. */
type CallArgs<M extends StudioMethod> = Record<string, never> extends StudioInput<M> ? [input?: StudioInput<M>] : [input: StudioInput<M>];

/** What the renderer holds: one async method per request, plus an event subscription. */
export type StudioApi = {
  readonly [M in StudioMethod]: (...args: CallArgs<M>) => Promise<Result<StudioOutput<M>>>;
} & {
  /** Subscribes to every event; returns the function that unsubscribes. */
  readonly onEvent: (listener: StudioEventListener) => () => void;
};

/** What the engine implements: one handler per request; a missing one is a compile error. */
export type StudioHandlers = {
  readonly [M in StudioMethod]: (input: z.output<(typeof studioRequests)[M]['input']>) => Promise<StudioOutput<M>>;
};
