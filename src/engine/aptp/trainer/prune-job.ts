// A pruning run over the workspace: opens the model folder and the prepared dataset, builds the
// run (setup.ts), records it (runs table: kind 'prune', its config and objective), writes every
// step's metrics to metric_series, checkpoints under checkpoints/<run id>/ (recording the routing of
// every prompt with each checkpoint, routing-record.ts; per-code samples at intervals, samples.ts),
// and resumes a recorded run from its newest checkpoint with the configuration it was started with.
// The CLI and the studio host call `openPruneJob` then `run`.
import { join } from 'node:path';
import { pruneConfigSchema, resolvePruneConfig, type PruneConfig, type PruneEstimate, type ResolvedPruneConfig } from '../../../shared/prune-api';
import { EngineError } from '../../core/errors';
import { modelResolution } from '../../data/model-id';
import { openDiffusersFolder } from '../../models/sd/loader';
import { imageGeometry } from '../../models/sd/pipeline';
import type { SessionConfig } from '../../runtime';
import type { Workspace } from '../../store/workspace';
import { DatasetRepository, type DatasetRecord } from '../../store/repositories/datasets';
import { openSdEncoders } from '../../data/sd-encoders';
import { preparedData } from './prepared-data';
import { prepareSentenceEmbeddings, sentenceFolderOf } from './prompt-embeddings';
import { RoutingRecorder } from './routing-record';
import { CodeSampler, type SampleModel } from './samples';
import { runPrune, type PruneRunContext, type PruneRunResult } from './prune-run';
import { createPrune, planPrune, type PruneModel, type PruneSetup } from './setup';

export const PRUNE_RUN_KIND = 'prune';

export interface PruneJob {
  readonly runId: string;
  readonly config: ResolvedPruneConfig;
  readonly dataset: DatasetRecord;
  readonly items: number;
  /** The prepared-cache id of the prompt embeddings the router reads. */
  readonly promptEncoder: string;
  readonly estimate: PruneEstimate;
  readonly setup: PruneSetup;
  /**
   * Trains to the end, a pause or a cancel. `inWorker`: a runs worker owns the record (status,
   * heartbeat, control requests); otherwise this process does: it records its pid, beats every
   * second and follows pause/cancel requests that other processes (`aptp runs`, the studio) make.
   */
  run(ctx: Omit<PruneRunContext, 'metrics' | 'checkpointDir'>, inWorker?: boolean): Promise<PruneRunResult>;
  dispose(): Promise<void>;
}

export function findDataset(ws: Workspace, ref: string): DatasetRecord {
  const repo = new DatasetRepository(ws.db);
  const all = repo.list();
  const found = repo.get(ref) ?? all.find((d) => d.name === ref);
  if (!found) {
    const known = all.map((d) => d.name).join(', ') || 'none yet';
    throw new EngineError('invalid-argument', `No dataset '${ref}' in this workspace (known: ${known}); import one with \`aptp data import DIR\`.`, { dataset: ref });
  }
  return found;
}

/** The dataset record, its prepared items and the model a configuration trains (and samples with). */
export async function openModel(ws: Workspace, config: ResolvedPruneConfig, session: SessionConfig = {}) {
  const dataset = findDataset(ws, config.dataset);
  const model = await openDiffusersFolder(config.model);
  const sentences = sentenceFolderOf(config.promptEncoder);
  const encoder = sentences === undefined ? undefined : await prepareSentenceEmbeddings(ws, dataset.id, sentences, session);
  const data = await preparedData(ws, dataset.id, dataset.name, config.model, config.resolution, encoder);
  const pruneModel: PruneModel = { unet: model.unet, weights: model.weights.unet.provider('float32'), scheduler: model.scheduler, scalingFactor: model.vae.scaling_factor };
  const sampleModel: SampleModel = { unet: model.unet, unetWeights: pruneModel.weights, vae: model.vae, vaeWeights: model.weights.vae.provider('float32'), scheduler: model.scheduler, vaeScale: imageGeometry(model).vaeScale };
  return { dataset, data, pruneModel, sampleModel };
}

/** The empty prompt's text states from the model's own text encoder (the samples' unconditional prediction). */
async function emptyPromptStates(modelDir: string, session: SessionConfig): Promise<Float32Array> {
  const encoders = await openSdEncoders(modelDir, { captionBatch: 1, session });
  try {
    const [states] = await encoders.caption.encodeBatch(['']);
    return states!['text-states'].data as Float32Array;
  } finally {
    await encoders.dispose();
  }
}

/** What `config` would cost (MACs at the budget, prunable target, memory per micro-batch), without starting anything. */
export async function estimatePrune(ws: Workspace, input: PruneConfig): Promise<PruneEstimate> {
  const config = resolvePruneConfig(await withModelResolution(input));
  const { data, pruneModel } = await openModel(ws, config);
  return planPrune(pruneModel, data, config).estimate;
}

/** Opens a new run for `config`, or the recorded run `resumeRunId` with its own configuration. */
export async function openPruneJob(ws: Workspace, input: PruneConfig | { readonly resumeRunId: string }, threads?: number): Promise<PruneJob> {
  const { runId, config } = 'resumeRunId' in input ? recorded(ws, input.resumeRunId) : { runId: undefined, config: resolvePruneConfig(await withModelResolution(input)) };
  // caches/onnx: onnxruntime's optimised step graphs, so only a run's first start of a shape optimises
  const session = { ...(threads ? { intraOpThreads: threads } : {}), optimizedCacheDir: join(ws.dir, 'caches', 'onnx') };
  const { dataset, data, pruneModel, sampleModel } = await openModel(ws, config, session);
  const setup = createPrune(pruneModel, data, config, session);
  const id = runId ?? ws.runs.create(projectFor(ws), PRUNE_RUN_KIND, { ...config, objective: setup.objective, promptEncoderId: data.promptEncoder }).id;
  const checkpointDir = join(ws.dir, 'checkpoints', id);
  const routing = new RoutingRecorder(setup.stepper.setup.router, setup.stepper.setup.losses.resource, { ws, runId: id, datasetId: dataset.id, encoder: data.promptEncoder ?? '' }, session);
  const plan = { every: config.sampleEvery, totalSteps: config.steps, prompts: config.samplePrompts, steps: config.sampleSteps, seed: config.seed, guidance: config.sampleGuidance };
  const unconditional = config.sampleGuidance > 1 && config.sampleEvery > 0 ? await emptyPromptStates(config.model, session) : undefined;
  const samples = new CodeSampler(ws, id, { ...sampleModel, unconditional }, data, plan, (state) => routing.architectures(state), session);
  const hooks: Pick<PruneRunContext, 'checkpointed' | 'stepped'> = {
    checkpointed: async (_step, state) => { await routing.record(state); },
    stepped: async (step, state) => { await samples.maybeSample(step, state); },
  };
  return {
    runId: id, config, dataset, items: data.size, promptEncoder: data.promptEncoder ?? '', estimate: setup.estimate, setup,
    run: async (ctx, inWorker = false) => {
      const metrics = (step: number, values: Readonly<Record<string, number>>): void =>
        ws.metrics.record(id, Object.entries(values).map(([name, value]) => ({ name, step, value, wallTime: Date.now() / 1000 })));
      if (inWorker) return runPrune(setup.stepper, setup.schedule, setup.initial, { ...ctx, ...hooks, checkpointDir, metrics });
      ws.runs.setStatus(id, 'running');
      const remote = followRequests(ws, id, ctx.signal);
      try {
        // Progress goes to the record too, so the studio follows a terminal's run step by step.
        const progress = (p: Parameters<typeof ctx.progress>[0]): void => {
          ws.runs.progress(id, p.done, p.total, p.detail ?? '');
          ctx.progress(p);
        };
        const result = await runPrune(setup.stepper, setup.schedule, setup.initial, {
          ...ctx, ...hooks, progress, checkpointDir, metrics, signal: remote.signal, pauseRequested: () => ctx.pauseRequested() || remote.pauseRequested(),
        });
        ws.runs.setStatus(id, result.status);
        return result;
      } catch (error) {
        ws.runs.setStatus(id, 'failed', { message: (error as Error).message });
        throw error;
      } finally {
        remote.stop();
      }
    },
    dispose: async () => {
      await setup.stepper.dispose();
      await routing.dispose();
      await samples.dispose();
    },
  };
}

/** Heartbeats of an in-process run and the pause/cancel requests other processes make of it. */
function followRequests(ws: Workspace, runId: string, signal: AbortSignal) {
  const cancel = new AbortController();
  const onAbort = (): void => cancel.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  let pause = false;
  const timer = setInterval(() => {
    const request = ws.runs.heartbeat(runId, process.pid);
    if (request === 'pause') pause = true;
    if (request === 'cancel') cancel.abort();
  }, 1000);
  return {
    signal: cancel.signal,
    pauseRequested: () => pause,
    stop: () => {
      clearInterval(timer);
      signal.removeEventListener('abort', onAbort);
    },
  };
}

/** `config` with its training resolution: the one given, or the model's own (as `aptp data prepare` defaults to). */
export async function withModelResolution(config: PruneConfig): Promise<PruneConfig & { readonly resolution: number }> {
  if (config.resolution !== undefined) return { ...config, resolution: config.resolution };
  const own = await modelResolution(config.model);
  if (own === undefined) {
    throw new EngineError('invalid-argument', `The model folder ${config.model} has no unet/config.json sample_size to take a training resolution from; pass --resolution (the resolution the dataset was prepared at).`, { model: config.model });
  }
  return { ...config, resolution: own };
}

function recorded(ws: Workspace, runId: string): { runId: string; config: ResolvedPruneConfig } {
  const run = ws.runs.get(runId) ?? ws.runs.listForProject(projectFor(ws)).find((r) => r.id.startsWith(runId));
  if (!run || run.kind !== PRUNE_RUN_KIND) throw new EngineError('invalid-argument', `No pruning run '${runId}' in this workspace; list runs with \`aptp runs list\`.`, { run: runId });
  const { objective: _objective, promptEncoderId: _encoder, ...saved } = run.config as Record<string, unknown>;
  const config = pruneConfigSchema.parse(saved);
  if (config.resolution === undefined) throw new EngineError('invalid-argument', `Pruning run '${run.id}' has no recorded resolution; start a new run.`, { run: run.id });
  return { runId: run.id, config: resolvePruneConfig({ ...config, resolution: config.resolution }) };
}

function projectFor(ws: Workspace): string {
  return (ws.projects.list().find((p) => p.name === 'default') ?? ws.projects.create('default', {})).id;
}
