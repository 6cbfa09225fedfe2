// What the world's diffusion trainings share (`world build`'s diffusion stage and `world refine`):
// training sessions that do not spin, the learning-rate schedule, trained tensors as a weight
// provider, the VAE encoder as a session, and batches of noised latents with their captions
// (10% dropped for classifier-free guidance) from a world stream.
import { hostTensor, openSession, type HostTensor, type RuntimeSession, type SessionConfig } from '../runtime';
import { emitModel } from '../onnx';
import { buildVaeEncoder, VAE_ENCODER_IO } from '../models/sd/vae';
import { DdpmTraining } from '../models/sd/schedulers';
import type { ClipTokenizer } from '../models/sd/tokenizer';
import type { WeightProvider } from '../models/sd/unet/layers';
import { imageBatch, type CursorState, type WorldStream } from './batches';
import { WORLD_SCHEDULER } from './model-config';
import { LATENT_SIZE, TARGET_INPUT, TEXT_LENGTH, worldConfigs } from './training-graphs';
import { IMAGE_SIZE } from './vocabulary';

/** Decay of the weights' moving average the diffusion trainings save. */
export const EMA_DECAY = 0.999;
/**
 * Sessions of a long training on a CPU that other work shares: idle threads do not spin (spinning
 * threads took CPU from the computing ones, about half the speed at 2 threads; bench/world-train.ts).
 */
export const trainingSession = (threads = 1): SessionConfig => ({ intraOpThreads: threads, spinning: false });
const CAPTION_DROP = 0.1;

/** Linear warm-up over `warmup` steps, constant, then a quarter of the rate over the last fifth. */
export function schedule(peak: number, steps: number, warmup: number): (t: number) => number {
  return (t) => (t <= warmup ? (peak * t) / warmup : t > 0.8 * steps ? peak / 4 : peak);
}

/** A weight provider over trained tensors (names are diffusers keys). */
export function tensorWeights(params: Readonly<Record<string, HostTensor>>): WeightProvider {
  return (spec) => {
    const t = params[spec.name];
    if (!t) throw new Error(`no trained weight '${spec.name}'`);
    return { dtype: 'float32', data: t.data as Float32Array };
  };
}

/** The trained encoder as a session that maps images (and noise) to latents at scale `scale`. */
export async function encoderSession(vae: Record<string, HostTensor>, batch: number, scale: number, threads: number): Promise<RuntimeSession> {
  const config = { ...worldConfigs().vae, scaling_factor: scale };
  const g = buildVaeEncoder(config, { batch, height: IMAGE_SIZE, width: IMAGE_SIZE, weights: tensorWeights(vae) }).graph;
  return openSession({ bytes: emitModel(g), name: g.name }, trainingSession(threads));
}

export interface DiffusionState extends CursorState {
  readonly scale: number;
}

export function diffusionBatches(stream: WorldStream, enc: RuntimeSession, tok: ClipTokenizer, batch: number, scale: number): { next(): Promise<Record<string, HostTensor>>; save(): DiffusionState } {
  const ddpm = new DdpmTraining(WORLD_SCHEDULER);
  const latentShape = [batch, 4, LATENT_SIZE, LATENT_SIZE];
  const n = batch * 4 * LATENT_SIZE * LATENT_SIZE;
  return {
    next: async () => {
      const items = stream.take(batch);
      const captions = items.map((it) => (stream.rand.next() < CAPTION_DROP ? '' : it.caption));
      const timesteps = items.map(() => stream.rand.int(1000));
      const enc0 = await enc.run({ [VAE_ENCODER_IO.image]: hostTensor('float32', [batch, 3, IMAGE_SIZE, IMAGE_SIZE], imageBatch(items)), [VAE_ENCODER_IO.noise]: hostTensor('float32', latentShape, stream.normals(n)) }, [VAE_ENCODER_IO.latents]);
      const noise = stream.normals(n);
      return {
        input_ids: hostTensor('int64', [batch, TEXT_LENGTH], tok.encodeBatch(captions)),
        sample: hostTensor('float32', latentShape, ddpm.addNoise(enc0[VAE_ENCODER_IO.latents]?.data as Float32Array, noise, timesteps)),
        timestep: hostTensor('float32', [batch], Float32Array.from(timesteps)),
        [TARGET_INPUT]: hostTensor('float32', latentShape, noise),
      };
    },
    save: () => ({ ...stream.save(), scale }),
  };
}
