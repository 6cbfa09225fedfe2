// Schedulers for Stable Diffusion over float32 latents: the DDPM training side and the samplers
// DDIM, PNDM, Euler discrete and DPM-Solver++ 2M, each configured from scheduler_config.json and
// matching diffusers' timesteps and step outputs.
import { EngineError } from '../../../core/errors';
import type { SchedulerConfigInput } from './config';
import { DdimSampler } from './ddim';
import { DpmSolverSampler } from './dpm-solver';
import { EulerSampler } from './euler';
import { PndmSampler } from './pndm';
import { SAMPLER_KINDS, type Sampler, type SamplerKind } from './sampler';

export type { SchedulerConfigInput, PredictionType, BetaSchedule, TimestepSpacing } from './config';
export { DdpmTraining, type MinSnrFormula } from './ddpm';
export { DdimSampler, type DdimStepOptions } from './ddim';
export { PndmSampler } from './pndm';
export { EulerSampler } from './euler';
export { DpmSolverSampler } from './dpm-solver';
export { SAMPLER_KINDS, type Sampler, type SamplerKind } from './sampler';

/** Makes a sampler of `kind` for `steps` inference steps from a scheduler_config.json object. */
export function createSampler(kind: SamplerKind, config: SchedulerConfigInput, steps: number): Sampler {
  switch (kind) {
    case 'ddim':
      return new DdimSampler(config, steps);
    case 'pndm':
      return new PndmSampler(config, steps);
    case 'euler':
      return new EulerSampler(config, steps);
    case 'dpmpp-2m':
      return new DpmSolverSampler(config, steps);
  }
}

export function isSamplerKind(value: string): value is SamplerKind {
  return (SAMPLER_KINDS as readonly string[]).includes(value);
}

/** The sampler a scheduler_config.json's `_class_name` names, for when the user picks none. */
export function samplerForClassName(className: unknown): SamplerKind {
  const known: Readonly<Record<string, SamplerKind>> = {
    DDIMScheduler: 'ddim',
    PNDMScheduler: 'pndm',
    EulerDiscreteScheduler: 'euler',
    DPMSolverMultistepScheduler: 'dpmpp-2m',
  };
  const kind = typeof className === 'string' ? known[className] : undefined;
  if (kind) return kind;
  throw new EngineError('unsupported-model', `scheduler_config.json names ${JSON.stringify(className)}; supported schedulers: ${Object.keys(known).join(', ')}. Choose one explicitly (--scheduler ${SAMPLER_KINDS.join('|')}).`, { className });
}
