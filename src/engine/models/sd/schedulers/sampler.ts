// The contract every sampler keeps with the generation loop. A sampler is made for a number of
// inference steps; the loop calls, for i = 0..timesteps.length-1: x_in = scaleModelInput(x, i),
// e = unet(x_in, timesteps[i]), x = step(e, i, x). The initial latents are N(0, 1) * initNoiseSigma.
import { EngineError } from '../../../core/errors';

export type SamplerKind = 'ddim' | 'pndm' | 'euler' | 'dpmpp-2m';
export const SAMPLER_KINDS: readonly SamplerKind[] = ['ddim', 'pndm', 'euler', 'dpmpp-2m'];

export interface Sampler {
  readonly kind: SamplerKind;
  /** The timesteps the UNet is called with, in order (floats for Euler, integers otherwise). */
  readonly timesteps: readonly number[];
  readonly initNoiseSigma: number;
  scaleModelInput(sample: Float32Array, index: number): Float32Array;
  /** One denoising step; steps must be taken in order, index 0 first. */
  step(modelOutput: Float32Array, index: number, sample: Float32Array): Float32Array;
}

/** Refuses a step taken out of order or with mismatched sizes (a loop bug, not a user error). */
export function checkStep(kind: SamplerKind, expected: number, index: number, modelOutput: Float32Array, sample: Float32Array): void {
  if (index !== expected) {
    throw new EngineError('invalid-argument', `${kind} sampler: step ${index} taken but step ${expected} is next; steps must run in order.`, { index, expected });
  }
  if (modelOutput.length !== sample.length) {
    throw new EngineError('shape-mismatch', `${kind} sampler: model output has ${modelOutput.length} values but the sample has ${sample.length}.`, {});
  }
}

export function checkSteps(steps: number, numTrainTimesteps: number): void {
  if (!Number.isInteger(steps) || steps < 1 || steps > numTrainTimesteps) {
    throw new EngineError('invalid-argument', `Inference steps must be an integer in 1..${numTrainTimesteps} (got ${steps}).`, { steps });
  }
}

/** out[i] = a * x[i] + b * y[i], rounded to float32 once. */
export function axpby(a: number, x: Float32Array, b: number, y: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = a * (x[i] as number) + b * (y[i] as number);
  return out;
}
