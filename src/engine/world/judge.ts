// The world's judge: trained by the engine (IR + autodiff + AdamW on onnxruntime) on freshly
// rendered scenes with light blur and noise (generated images are softer than renders), saved as
// judge/judge.safetensors beside the model, and used to read attributes back from images, to
// score prompt fidelity and to give the penultimate features for the world's Fréchet distance.
// These are offline stand-ins for CLIP score and FID, not those metrics.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../core/errors';
import { emitModel } from '../onnx';
import { hostTensor, openSession, type Feeds, type HostTensor, type RuntimeSession } from '../runtime';
import { Random, Trainer, adamW } from '../train';
import { findCheckpoint, trainLoop, type LoopResult, type TrainingContext } from '../train/loop';
import { openSafetensors, readTensor, writeSafetensors } from '../weights';
import { imageBatch, WorldStream, type CursorState } from './batches';
import { HEADS, LOGITS, readLogits, targetsOf, type Reading } from './judge-labels';
import { FEATURES, initialJudgeParams, judgeGraph, judgeTrainingGraph, JUDGE_PARAMS } from './judge-net';
import type { WorldItem } from './items';
import { IMAGE_SIZE } from './vocabulary';

export const JUDGE_FILE = 'judge.safetensors';

/** Softens a batch in [-1, 1] in place: a 3x3 box blur on some images, Gaussian noise on all. */
function augment(x: Float32Array, batch: number, rand: Random): void {
  const plane = IMAGE_SIZE * IMAGE_SIZE;
  for (let n = 0; n < batch; n++) {
    const blur = rand.next() < 0.5;
    const std = rand.uniform(0, 0.08);
    for (let c = 0; c < 3; c++) {
      const base = (n * 3 + c) * plane;
      const src = blur ? x.slice(base, base + plane) : undefined;
      for (let y = 0; y < IMAGE_SIZE; y++) {
        for (let xx = 0; xx < IMAGE_SIZE; xx++) {
          let v = x[base + y * IMAGE_SIZE + xx] as number;
          if (src) {
            let [s, k] = [0, 0];
            for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
              const [yy, xs] = [y + dy, xx + dx];
              if (yy >= 0 && yy < IMAGE_SIZE && xs >= 0 && xs < IMAGE_SIZE) { s += src[yy * IMAGE_SIZE + xs] as number; k += 1; }
            }
            v = s / k;
          }
          x[base + y * IMAGE_SIZE + xx] = v + std * rand.normal();
        }
      }
    }
  }
}

function judgeFeeds(items: readonly WorldItem[], rand: Random): Feeds {
  const n = items.length;
  const presence = new Float32Array(n * (HEADS.shape + HEADS.colour));
  const count = new Float32Array(n * HEADS.count);
  const text = new Float32Array(n * HEADS.text);
  items.forEach((it, i) => {
    const t = targetsOf(it.scene);
    presence.set(t.presence, i * (HEADS.shape + HEADS.colour));
    count[i * HEADS.count + t.count] = 1;
    text[i * HEADS.text + t.text] = 1;
  });
  const images = imageBatch(items);
  augment(images, n, rand);
  return {
    images: hostTensor('float32', [n, 3, IMAGE_SIZE, IMAGE_SIZE], images),
    presence: hostTensor('float32', [n, HEADS.shape + HEADS.colour], presence),
    count_onehot: hostTensor('float32', [n, HEADS.count], count),
    text_onehot: hostTensor('float32', [n, HEADS.text], text),
  };
}

export interface JudgeTrainOptions {
  readonly seed: number;
  readonly steps: number;
  readonly batch?: number;
  readonly threads?: number;
}

/** Trains (or resumes) the judge on the world stream of `seed`; returns its weights. */
export async function trainJudge(o: JudgeTrainOptions, ctx: TrainingContext): Promise<{ params: Record<string, HostTensor>; result: LoopResult }> {
  const batch = o.batch ?? 32;
  const saved = await findCheckpoint<CursorState>(ctx, 'judge');
  const trainer = await Trainer.create(judgeTrainingGraph(batch), { params: initialJudgeParams(new Random(o.seed + 17)), optimizer: adamW({ lr: 2e-3, weightDecay: 1e-4 }), session: { intraOpThreads: o.threads ?? 1, spinning: false }, resume: saved?.snapshot });
  const stream = new WorldStream(o.seed + 31, saved?.state);
  const data = { next: (): Feeds => judgeFeeds(stream.take(batch), stream.rand), save: (): CursorState => stream.save() };
  const lr = (t: number): number => (t < 0.6 * o.steps ? 2e-3 : t < 0.85 * o.steps ? 5e-4 : 1e-4);
  const result = await trainLoop(trainer, { name: 'judge', steps: o.steps, imagesPerStep: batch, checkpointEvery: 100, lr }, data, ctx);
  return { params: { ...trainer.parameters }, result };
}

export async function saveJudge(dir: string, params: Readonly<Record<string, HostTensor>>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await writeSafetensors(join(dir, JUDGE_FILE), Object.keys(JUDGE_PARAMS).map((name) => ({ name, dtype: 'F32' as const, shape: JUDGE_PARAMS[name]!.shape, data: params[name]?.data as Float32Array })), { format: 'aptp-world-judge' });
}

/** A loaded judge: reads batches of 64x64 RGB images. */
export class Judge {
  private constructor(private readonly session: RuntimeSession, private readonly batch: number) {}

  static async fromParams(params: Readonly<Record<string, HostTensor>>, options: { batch?: number; threads?: number } = {}): Promise<Judge> {
    const batch = options.batch ?? 16;
    const g = judgeGraph(batch, params);
    return new Judge(await openSession({ bytes: emitModel(g), name: g.name }, { intraOpThreads: options.threads ?? 1 }), batch);
  }

  static async load(dir: string, options: { batch?: number; threads?: number } = {}): Promise<Judge> {
    const file = await openSafetensors(join(dir, JUDGE_FILE)).catch((cause: unknown) => {
      throw new EngineError('not-found', `No world judge in ${dir} (${JUDGE_FILE}); build the world model with \`aptp world build\` or pass --judge DIR.`, { dir }, { cause });
    });
    const params: Record<string, HostTensor> = {};
    for (const [name, { shape }] of Object.entries(JUDGE_PARAMS)) {
      const t = await readTensor(file, name, 'float32');
      if (t.shape.join() !== shape.join()) throw new EngineError('corrupt-file', `${file.path}: '${name}' has shape [${t.shape.join(', ')}], the judge needs [${shape.join(', ')}]; rebuild the judge.`, { file: file.path });
      params[name] = hostTensor('float32', shape, t.data as Float32Array);
    }
    return Judge.fromParams(params, options);
  }

  /** Readings and penultimate features of RGB images (64x64x3 bytes each). */
  async read(images: readonly Uint8Array[]): Promise<{ readings: Reading[]; features: Float32Array[] }> {
    const readings: Reading[] = [];
    const features: Float32Array[] = [];
    for (let i = 0; i < images.length; i += this.batch) {
      const chunk = images.slice(i, i + this.batch);
      const padded = [...chunk, ...Array.from({ length: this.batch - chunk.length }, () => chunk[0] as Uint8Array)];
      const x = imageBatch(padded.map((rgb) => ({ rgb }) as WorldItem));
      const out = await this.session.run({ images: hostTensor('float32', [this.batch, 3, IMAGE_SIZE, IMAGE_SIZE], x) });
      const logits = out['logits']?.data as Float32Array;
      const feats = out['features']?.data as Float32Array;
      chunk.forEach((_, k) => {
        readings.push(readLogits(logits.subarray(k * LOGITS, (k + 1) * LOGITS)));
        features.push(feats.slice(k * FEATURES, (k + 1) * FEATURES));
      });
    }
    return { readings, features };
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}
