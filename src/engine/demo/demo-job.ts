// The built-in demo job (`aptp demo`, README's first command): the deepest real path the engine has
// today. It builds a GroupNorm conv net in the IR, trains it with reverse-mode autodiff and AdamW on
// onnxruntime, records the run and every step's loss in the workspace, writes the trained model as
// an ONNX file (temporary name, then rename), re-loads that file and checks it agrees with the
// trainer. As the pipeline grows, this becomes the full pruning demo.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isEngineError } from '../core/errors';
import { writeModel } from '../onnx';
import { openSession } from '../runtime';
import type { Workspace } from '../store/workspace';
import { Random, Trainer, adamW } from '../train';
import { throwIfCancelled, type JobContext } from '../jobs/job';
import { accuracyOf, blobBatch } from './blob-task';
import { exportedNet, initialParams, trainingNet } from './blob-net';

export interface DemoOptions {
  readonly steps: number;
  readonly batch: number;
  readonly seed: number;
  readonly threads: number;
}

export interface DemoResult {
  readonly projectId: string;
  readonly runId: string;
  readonly steps: number;
  readonly firstLoss: number;
  readonly finalLoss: number;
  readonly heldOutAccuracy: number;
  readonly exportedAccuracy: number;
  readonly modelPath: string;
  readonly sha256: string;
}

const EVAL_BATCHES = 8;
const LR = 1e-2;

function demoProject(ws: Workspace): string {
  return (ws.projects.list().find((p) => p.name === 'demo') ?? ws.projects.create('demo', { kind: 'built-in demo' })).id;
}

async function train(ws: Workspace, runId: string, options: DemoOptions, ctx: JobContext): Promise<{ trainer: Trainer; first: number; last: number }> {
  const rand = new Random(options.seed);
  const trainer = await Trainer.create(trainingNet(options.batch), { params: initialParams(rand), optimizer: adamW({ lr: LR }), session: { intraOpThreads: options.threads } });
  let first = Number.NaN;
  let last = Number.NaN;
  for (let step = 0; step < options.steps; step++) {
    throwIfCancelled(ctx.signal);
    const batch = blobBatch(rand, options.batch);
    last = (await trainer.step({ images: batch.images, onehot: batch.onehot }, step < options.steps * 0.7 ? LR : LR / 5)).loss;
    if (step === 0) first = last;
    ws.metrics.record(runId, [{ name: 'loss', step, value: last, wallTime: Date.now() / 1000 }]);
    ctx.progress({ done: step + 1, total: options.steps, detail: `loss ${last.toFixed(4)}`, metrics: { loss: last } });
  }
  return { trainer, first, last };
}

export async function runDemo(ws: Workspace, options: DemoOptions, ctx: JobContext): Promise<DemoResult> {
  const projectId = demoProject(ws);
  const run = ws.runs.create(projectId, 'demo-train', { ...options });
  ws.runs.setStatus(run.id, 'running');
  try {
    const { trainer, first, last } = await train(ws, run.id, options, ctx);
    const modelPath = join(ws.dir, 'exports', `demo-${run.id}.onnx`);
    await writeModel(exportedNet(options.batch, trainer.parameters), modelPath);
    const session = await openSession({ path: modelPath }, { intraOpThreads: options.threads });
    const heldOutRand = new Random(options.seed + 7919);
    let [trainerHits, exportedHits] = [0, 0];
    for (let k = 0; k < EVAL_BATCHES; k++) {
      const b = blobBatch(heldOutRand, options.batch);
      trainerHits += accuracyOf((await trainer.evaluate({ images: b.images, onehot: b.onehot }, ['logits'])).logits!, b.labels);
      exportedHits += accuracyOf((await session.run({ images: b.images })).logits!, b.labels);
    }
    const [heldOutAccuracy, exportedAccuracy] = [trainerHits / EVAL_BATCHES, exportedHits / EVAL_BATCHES];

    const bytes = readFileSync(modelPath);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    ws.artifacts.add({ projectId, runId: run.id, kind: 'onnx-model', path: modelPath, sha256, bytes: bytes.byteLength });
    ws.metrics.record(run.id, [{ name: 'held_out_accuracy', step: options.steps, value: heldOutAccuracy, wallTime: Date.now() / 1000 }]);
    ws.runs.setStatus(run.id, 'completed');
    return { projectId, runId: run.id, steps: options.steps, firstLoss: first, finalLoss: last, heldOutAccuracy, exportedAccuracy, modelPath, sha256 };
  } catch (error) {
    const cancelled = isEngineError(error) && error.code === 'cancelled';
    ws.runs.setStatus(run.id, cancelled ? 'cancelled' : 'failed', { message: (error as Error).message });
    throw error;
  }
}
