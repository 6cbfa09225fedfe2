// Per-code sample images of a pruning run: every `every` steps (and at the last step) each code's
// hard architecture gates the UNet and generates the same fixed prompts (taken evenly from the
// dataset, their cached text states) from the same fixed seeds (run seed + prompt index), with the
// pipeline's sampler (DDIM, with classifier-free guidance against the empty prompt's text states
// when the plan's guidance is above 1, as the pipeline generates), decoded by the model's VAE. PNGs go to samples/<run>/step-<n>/ under the workspace (temporary
// name, then rename) and rows to run_samples. Everything is derived from (run, step, state), so a
// resumed run that repeats a step rewrites the same files and replaces the same rows.
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomicallyAsync } from '../../core/atomic-file';
import { EngineError } from '../../core/errors';
import { GraphSessions } from '../../data/sd-encoders';
import type { UNetConfig, VaeConfig } from '../../models/sd/config';
import { encodePng, imagesToRgb, initialLatents } from '../../models/sd/pipeline';
import { createSampler, type SchedulerConfigInput } from '../../models/sd/schedulers';
import { ARCH_VECTOR_INPUT } from '../../models/sd/structure/gates';
import { buildUNet, UNET_INPUTS, UNET_OUTPUT, type WeightProvider } from '../../models/sd/unet';
import { buildVaeDecoder, VAE_DECODER_IO } from '../../models/sd/vae';
import { hostTensor, type SessionConfig } from '../../runtime';
import { SampleRepository, type RunSample } from '../../store/repositories/samples';
import type { Workspace } from '../../store/workspace';
import type { PruneData } from './prune-data';
import type { RouterState } from './prune-step';

export interface SampleModel {
  readonly unet: UNetConfig;
  readonly unetWeights: WeightProvider;
  readonly vae: VaeConfig;
  readonly vaeWeights: WeightProvider;
  readonly scheduler: SchedulerConfigInput;
  /** Pixels per latent cell (8 for SD). */
  readonly vaeScale: number;
  /** The empty prompt's text states [T * D] from the model's text encoder (classifier-free guidance). */
  readonly unconditional?: Float32Array;
}

export interface SamplePlan {
  /** Steps between samples (0: never). */
  readonly every: number;
  readonly totalSteps: number;
  readonly prompts: number;
  /** Sampler steps per image. */
  readonly steps: number;
  readonly seed: number;
  /** Classifier-free guidance scale (1: none; above 1 needs SampleModel.unconditional). */
  readonly guidance: number;
}

/** Which steps get samples: every `every` steps and the last one. */
export function sampleDue(plan: Pick<SamplePlan, 'every' | 'totalSteps'>, step: number): boolean {
  return plan.every > 0 && step > 0 && (step % plan.every === 0 || step === plan.totalSteps);
}

/** The dataset indices of the fixed prompts: `count` spread evenly over `size` items. */
export function samplePromptIndices(size: number, count: number): number[] {
  const n = Math.min(size, count);
  return Array.from({ length: n }, (_, p) => Math.floor((p * size) / n));
}

/** Hard gate vectors [K][L] of a state's codes (or the baseline's one architecture). */
export type CodeArchitectures = (state: RouterState) => Promise<Float32Array[]>;

export class CodeSampler {
  private readonly sessions: GraphSessions;

  constructor(
    private readonly ws: Workspace,
    private readonly runId: string,
    private readonly model: SampleModel,
    private readonly data: PruneData,
    private readonly plan: SamplePlan,
    private readonly architectures: CodeArchitectures,
    session: SessionConfig = {},
  ) {
    if (plan.every > 0 && plan.guidance > 1 && model.unconditional?.length !== data.textShape[0] * data.textShape[1]) {
      throw new EngineError('invalid-argument', `Samples with guidance ${plan.guidance} need the empty prompt's text states of shape [${data.textShape.join(', ')}]; set the sample guidance to 1 or give the model's text encoder.`, { guidance: plan.guidance });
    }
    this.sessions = new GraphSessions(session);
  }

  /** Writes the samples of step `step` when due; returns what it recorded (nothing when not due). */
  async maybeSample(step: number, state: RouterState): Promise<RunSample[]> {
    if (!sampleDue(this.plan, step)) return [];
    const indices = samplePromptIndices(this.data.size, this.plan.prompts);
    const items = await Promise.all(indices.map((i) => this.data.item(i)));
    const text = new Float32Array(items.length * this.data.textShape[0] * this.data.textShape[1]);
    items.forEach((it, p) => text.set(it.text, p * it.text.length));
    const codes = await this.architectures(state);
    const dir = join('samples', this.runId, `step-${String(step).padStart(8, '0')}`);
    await mkdir(join(this.ws.dir, dir), { recursive: true });
    const rows: RunSample[] = [];
    for (const [code, gates] of codes.entries()) {
      const images = await this.generate(gates, text, items.length, indices);
      for (const [p, png] of images.entries()) {
        const path = join(dir, `code-${code}-prompt-${p}.png`);
        await writeFileAtomicallyAsync(join(this.ws.dir, path), png, { what: 'the sample', advice: 'Check the workspace folder is writable and has space.' });
        rows.push({ step, code, promptIndex: p, prompt: items[p]!.caption ?? `prompt ${indices[p]}`, seed: this.plan.seed + p, path, sha256: createHash('sha256').update(png).digest('hex'), bytes: png.length });
      }
    }
    new SampleRepository(this.ws.db).write(this.runId, rows);
    return rows;
  }

  /** PNGs of `n` prompts (text states [n, T, D]) generated by the UNet gated with `gates` [L]. */
  private async generate(gates: Float32Array, text: Float32Array, n: number, indices: readonly number[]): Promise<Buffer[]> {
    const { unet, unetWeights, vae, vaeWeights, scheduler, vaeScale } = this.model;
    const [c, h, w] = this.data.latentShape;
    const [t, d] = this.data.textShape;
    const denoise = await this.sessions.get(`sample_unet_b${n}`, () => buildUNet(unet, { batch: n, height: h, width: w, textLength: t, weights: unetWeights, gates: 'vector' }).graph);
    const decode = await this.sessions.get(`sample_vae_b${n}`, () => buildVaeDecoder(vae, { batch: n, height: h * vaeScale, width: w * vaeScale, weights: vaeWeights }).graph);
    const sampler = createSampler('ddim', scheduler, this.plan.steps);
    const per = c * h * w;
    let x: Float32Array = new Float32Array(n * per);
    indices.forEach((_, p) => x.set(initialLatents(per, sampler.initNoiseSigma, { seed: this.plan.seed + p }), p * per));
    const arch = new Float32Array(n * gates.length);
    for (let p = 0; p < n; p++) arch.set(gates, p * gates.length);
    const { guidance } = this.plan;
    const empty = guidance > 1 && this.model.unconditional ? repeat(this.model.unconditional, n) : undefined;
    for (const [i, timestep] of sampler.timesteps.entries()) {
      const input = sampler.scaleModelInput(x, i);
      const predict = async (context: Float32Array): Promise<Float32Array> => float32((await denoise.run({
        [UNET_INPUTS.sample]: hostTensor('float32', [n, c, h, w], input),
        [UNET_INPUTS.timestep]: hostTensor('float32', [n], new Float32Array(n).fill(timestep)),
        [UNET_INPUTS.context]: hostTensor('float32', [n, t, d], context),
        [ARCH_VECTOR_INPUT]: hostTensor('float32', [n, gates.length], arch),
      }))[UNET_OUTPUT]?.data, 'gated UNet');
      const cond = await predict(text);
      if (empty) {
        const uncond = await predict(empty);
        for (let k = 0; k < cond.length; k++) cond[k] = (uncond[k] ?? 0) + guidance * ((cond[k] ?? 0) - (uncond[k] ?? 0));
      }
      x = sampler.step(cond, i, x);
    }
    const image = await decode.run({ [VAE_DECODER_IO.latents]: hostTensor('float32', [n, c, h, w], x) });
    const rgb = imagesToRgb(float32(image[VAE_DECODER_IO.image]?.data, 'VAE decoder'), n, h * vaeScale, w * vaeScale);
    return Promise.all(rgb.map((bytes) => encodePng(bytes, w * vaeScale, h * vaeScale)));
  }

  dispose(): Promise<void> {
    return this.sessions.dispose();
  }
}

function repeat(row: Float32Array, n: number): Float32Array {
  const out = new Float32Array(n * row.length);
  for (let p = 0; p < n; p++) out.set(row, p * row.length);
  return out;
}

function float32(data: unknown, what: string): Float32Array {
  if (!(data instanceof Float32Array)) throw new EngineError('runtime-failure', `The ${what} returned no float32 output while sampling.`, { what });
  return data;
}


