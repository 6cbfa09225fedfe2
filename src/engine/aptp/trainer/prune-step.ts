// One APTP stage-1 step over a global batch, chained explicitly across three graphs:
// router forward over the whole global batch (gates, Sinkhorn assignment, rho) -> the UNet step per
// micro-batch (losses and d(losses)/d(gates), step/unet-step.ts) -> the router's training graph
// seeded with those gradients (router-side losses over the whole global batch, d/d(parameters),
// AdamW; router-train-graph.ts). Every random draw of step s comes from streams named by (seed, s)
// (streams.ts). A step whose loss is not finite reports `finite: false` and keeps the old state.
import { EngineError } from '../../core/errors';
import type { Graph } from '../../ir';
import type { UNetConfig } from '../../models/sd/config/unet';
import type { DdpmTraining, MinSnrFormula } from '../../models/sd/schedulers';
import type { WeightProvider } from '../../models/sd/unet';
import { hostTensor, type Feeds, type HostTensor, type Outputs, type RuntimeSession, type SessionConfig } from '../../runtime';
import { GraphSessions, sampleLatent } from '../../data/sd-encoders';
import { hyperInputName, newName, stateInputName, type Optimizer } from '../../train';
import { buildRouterForward, gumbelNoise, ROUTER_INPUTS, ROUTER_OUTPUTS, routerParamShapes, type Gating, type RouterLossSpec, type RouterSpec } from '../router';
import { MEMORY_MODES, sessionForMemory, type MemoryMode } from '../step/memory-mode';
import { buildUNetStep, STEP_INPUTS, STEP_OUTPUTS } from '../step/unet-step';
import type { PruneData, PruneItem } from './prune-data';
import { buildRouterTrainGraph } from './router-train-graph';
import { batchIndices, normals, stream } from './streams';

export interface TermWeights {
  readonly ddpm: number;
  readonly distill: number;
  readonly block: number;
}

export interface PruneStepSetup {
  readonly router: RouterSpec;
  readonly losses: RouterLossSpec;
  readonly unet: { readonly config: UNetConfig; readonly weights: WeightProvider };
  readonly ddpm: DdpmTraining;
  readonly snr: { readonly gamma: number; readonly formula: MinSnrFormula };
  /** The VAE's latent scaling factor (sampled latents are scaled by it, as training does). */
  readonly scalingFactor: number;
  readonly globalBatch: number;
  readonly microBatch: number;
  readonly termWeights: TermWeights;
  readonly optimizer: Optimizer;
  readonly data: PruneData;
  readonly seed: number;
  readonly session?: SessionConfig;
  /** How the step trades memory for speed (step/memory-mode.ts); default 'fast'. */
  readonly memory?: MemoryMode;
}

/** What training changes: router parameters and optimiser state by input name, and the updates applied. */
export interface RouterState {
  readonly params: Readonly<Record<string, HostTensor>>;
  readonly optimizer: Readonly<Record<string, HostTensor>>;
  readonly updates: number;
}

export interface StepOutcome {
  readonly finite: boolean;
  /** The new state (the old one when the step was skipped). */
  readonly state: RouterState;
  /** Loss terms (global-batch means), rho statistics. */
  readonly metrics: Record<string, number>;
  /** The code of each prompt of the global batch (empty for the single-architecture baseline). */
  readonly assignment: readonly number[];
}

/** Every random draw of one step (streams.ts), in one place so checks can replay a step exactly. */
export interface StepDraws {
  readonly indices: readonly number[];
  /** Gumbel noise of the predictor's gates [G, L] ([1, L] for the baseline) and of the codes [K, L]. */
  readonly predictorNoise: Float32Array;
  readonly codeNoise: Float32Array | null;
  readonly timesteps: readonly number[];
  /** Standard normals that sample each latent from its cached distribution [G, C, h, w]. */
  readonly latentEps: Float32Array;
  /** The diffusion noise [G, C, h, w]. */
  readonly noise: Float32Array;
}

/** What a step computed on its way, for checks against a reference (PruneStep.run's `observe`). */
export interface StepObservation {
  readonly draws: StepDraws;
  /** Gates that drove the UNet [G, L]. */
  readonly gates: Float32Array;
  /** d(mean UNet loss over the global batch)/d(gates) [G, L]. */
  readonly gateGrad: Float32Array;
  /** The router training run's outputs (losses, 'grad/<param>', updated values). */
  readonly router: Outputs;
}

export function drawStep(setup: PruneStepSetup, step: number): StepDraws {
  const { seed, globalBatch: g, router, data } = setup;
  const l = router.layout.vectorLength;
  const rows = router.kind === 'single' ? 1 : g;
  const per = data.latentShape.reduce((a, d) => a * d, 1);
  const tRand = stream(seed, step, 'timesteps');
  return {
    indices: batchIndices(seed, step, g, data.size),
    predictorNoise: gumbelNoise(stream(seed, step, 'gumbel-predictor'), rows * l),
    codeNoise: router.kind === 'single' ? null : gumbelNoise(stream(seed, step, 'gumbel-codes'), router.experts * l),
    timesteps: Array.from({ length: g }, () => tRand.int(setup.ddpm.options.numTrainTimesteps)),
    latentEps: normals(stream(seed, step, 'latent'), g * per),
    noise: normals(stream(seed, step, 'noise'), g * per),
  };
}

interface GlobalBatch {
  readonly items: readonly PruneItem[];
  readonly routerFeeds: Feeds;
}

export class PruneStep {
  private readonly graphs: GraphSessions;

  private constructor(readonly setup: PruneStepSetup) {
    this.graphs = new GraphSessions(sessionForMemory(setup.session ?? {}, setup.memory ?? 'fast'));
  }

  static open(setup: PruneStepSetup): PruneStep {
    const { globalBatch: g, microBatch: m, data } = setup;
    if (!Number.isInteger(g) || !Number.isInteger(m) || m < 1 || g < m || g % m !== 0) {
      throw new EngineError('invalid-argument', `The global batch (${g}) must be a whole multiple of the micro-batch (${m}); for example --batch 64 --micro-batch 8.`, { globalBatch: g, microBatch: m });
    }
    if (data.size < 1) throw new EngineError('invalid-argument', 'The dataset has no prepared items to train on; run `aptp data prepare` first.', {});
    if (data.embedDim !== setup.router.embedDim) {
      throw new EngineError('shape-mismatch', `The prompt embeddings are ${data.embedDim}-d but the router reads ${setup.router.embedDim}-d; prepare the dataset with the same prompt encoder.`, { data: data.embedDim, router: setup.router.embedDim });
    }
    return new PruneStep(setup);
  }

  private session(name: string, build: () => Graph): Promise<RuntimeSession> {
    return this.graphs.get(name, build);
  }

  private routerForward(gating: Gating): Promise<RuntimeSession> {
    const s = this.setup;
    return this.session(`router_forward_${gating}`, () => buildRouterForward(s.router, s.globalBatch, gating, s.losses.resource));
  }

  private routerTrain(gating: Gating): Promise<RuntimeSession> {
    const s = this.setup;
    return this.session(`router_train_${gating}`, () => buildRouterTrainGraph(s.router, s.globalBatch, gating, s.losses, s.optimizer));
  }

  private unetStep(): Promise<RuntimeSession> {
    const s = this.setup;
    const [, h, w] = s.data.latentShape;
    const [textLength] = s.data.textShape;
    return this.session('unet_step', () => buildUNetStep({ config: s.unet.config, weights: s.unet.weights, microBatch: s.microBatch, height: h, width: w, textLength, convInputGrad: MEMORY_MODES[s.memory ?? 'fast'].convInputGrad }).graph);
  }

  /** Opens every session of a run now (graph writing and loading are the start-up cost). */
  async warm(gatings: readonly Gating[]): Promise<void> {
    for (const g of gatings) {
      await this.routerForward(g);
      await this.routerTrain(g);
    }
    await this.unetStep();
  }

  private async batch(draws: StepDraws, state: RouterState): Promise<GlobalBatch> {
    const s = this.setup;
    const g = s.globalBatch;
    const l = s.router.layout.vectorLength;
    const items = await Promise.all(draws.indices.map((i) => s.data.item(i)));
    const embedding = new Float32Array(g * s.data.embedDim);
    items.forEach((it, i) => embedding.set(it.embedding, i * s.data.embedDim));
    const feeds: Record<string, HostTensor> = { ...state.params, [ROUTER_INPUTS.embedding]: hostTensor('float32', [g, s.data.embedDim], embedding) };
    feeds[ROUTER_INPUTS.predictorNoise] = hostTensor('float32', [draws.predictorNoise.length / l, l], draws.predictorNoise);
    if (draws.codeNoise) feeds[ROUTER_INPUTS.codeNoise] = hostTensor('float32', [s.router.experts, l], draws.codeNoise);
    return { items, routerFeeds: feeds };
  }

  /** One step at learning rate `lr`, gating the UNet by the predictor (pre-training) or the codes. */
  async run(step: number, gating: Gating, lr: number, state: RouterState, observe?: (o: StepObservation) => void): Promise<StepOutcome> {
    const s = this.setup;
    const draws = drawStep(s, step);
    const batch = await this.batch(draws, state);
    const fwd = await (await this.routerForward(gating)).run(batch.routerFeeds);
    const gates = float32(fwd, ROUTER_OUTPUTS.gates);
    const unet = await this.unetPass(draws, batch.items, gates);
    const assignment = fwd[ROUTER_OUTPUTS.assignment];
    const trainFeeds: Record<string, HostTensor> = { ...batch.routerFeeds, ...state.optimizer, [ROUTER_INPUTS.gateSeed]: hostTensor('float32', [s.globalBatch, s.router.layout.vectorLength], unet.seed) };
    if (gating === 'code' && assignment) trainFeeds[ROUTER_INPUTS.assignment] = assignment;
    for (const [name, value] of Object.entries(s.optimizer.hyperValues(state.updates + 1, lr))) trainFeeds[hyperInputName(name)] = hostTensor('float32', [], Float32Array.of(value));
    const out = await (await this.routerTrain(gating)).run(trainFeeds);
    observe?.({ draws, gates, gateGrad: unet.seed, router: out });
    const metrics = { ...unet.metrics, ...routerMetrics(out), ...rhoStats(float32(out, ROUTER_OUTPUTS.rho)) };
    metrics['loss/total'] = (metrics['loss/unet'] ?? 0) + (metrics['loss/router'] ?? 0);
    const codes = assignment ? Array.from(assignment.data as BigInt64Array, Number) : [];
    const finite = Number.isFinite(metrics['loss/total']) && unet.seed.every(Number.isFinite);
    return { finite, state: finite ? nextState(out, state) : state, metrics, assignment: codes };
  }

  /** The UNet micro-batches: per-sample losses and the gradient seed d(mean UNet loss)/d(gates) [G, L]. */
  private async unetPass(draws: StepDraws, items: readonly PruneItem[], gates: Float32Array): Promise<{ seed: Float32Array; metrics: Record<string, number> }> {
    const s = this.setup;
    const session = await this.unetStep();
    const { globalBatch: g, microBatch: m } = s;
    const l = s.router.layout.vectorLength;
    const [c, h, w] = s.data.latentShape;
    const per = c * h * w;
    const { timesteps, latentEps: eps, noise } = draws;
    const seed = new Float32Array(g * l);
    const sums = { ddpm: 0, distill: 0, block: 0, unet: 0 };
    for (let start = 0; start < g; start += m) {
      const x0 = new Float32Array(m * per);
      const text = new Float32Array(m * s.data.textShape[0] * s.data.textShape[1]);
      for (let i = 0; i < m; i++) {
        const item = items[start + i] as PruneItem;
        x0.set(sampleLatent(item.latent, eps.subarray((start + i) * per, (start + i + 1) * per), s.scalingFactor), i * per);
        text.set(item.text, i * item.text.length);
      }
      const ts = timesteps.slice(start, start + m);
      const n = noise.subarray(start * per, (start + m) * per);
      const out = await session.run({
        sample: hostTensor('float32', [m, c, h, w], s.ddpm.addNoise(x0, n, ts)),
        timestep: hostTensor('float32', [m], Float32Array.from(ts)),
        encoder_hidden_states: hostTensor('float32', [m, ...s.data.textShape], text),
        arch_vector: hostTensor('float32', [m, l], gates.slice(start * l, (start + m) * l)),
        [STEP_INPUTS.target]: hostTensor('float32', [m, c, h, w], s.ddpm.target(x0, n, ts)),
        [STEP_INPUTS.snrWeight]: hostTensor('float32', [m], s.ddpm.minSnrWeights(ts, s.snr.gamma, s.snr.formula)),
        [STEP_INPUTS.termWeights]: hostTensor('float32', [3], Float32Array.of(s.termWeights.ddpm, s.termWeights.distill, s.termWeights.block)),
      });
      const grad = float32(out, STEP_OUTPUTS.gradGates);
      for (let i = 0; i < grad.length; i++) seed[start * l + i] = (grad[i] as number) / g;
      sums.ddpm += total(float32(out, STEP_OUTPUTS.ddpm));
      sums.distill += total(float32(out, STEP_OUTPUTS.distill));
      sums.block += total(float32(out, STEP_OUTPUTS.block));
      sums.unet += total(float32(out, STEP_OUTPUTS.total));
    }
    return { seed, metrics: { 'loss/ddpm': sums.ddpm / g, 'loss/distill': sums.distill / g, 'loss/block': sums.block / g, 'loss/unet': sums.unet / g } };
  }

  async dispose(): Promise<void> {
    await this.graphs.dispose();
  }
}

function float32(out: Outputs, name: string): Float32Array {
  const t = out[name];
  if (!t || !(t.data instanceof Float32Array)) throw new EngineError('runtime-failure', `The pruning step returned no float32 '${name}'.`, { output: name });
  return t.data;
}

function total(a: Float32Array): number {
  let sum = 0;
  for (const v of a) sum += v;
  return sum;
}

function routerMetrics(out: Outputs): Record<string, number> {
  const m: Record<string, number> = {};
  for (const name of [ROUTER_OUTPUTS.resource, ROUTER_OUTPUTS.std, ROUTER_OUTPUTS.max, ROUTER_OUTPUTS.contrastive, ROUTER_OUTPUTS.router]) {
    const t = out[name];
    if (t) m[name] = Number(t.data[0]);
  }
  return m;
}

function rhoStats(rho: Float32Array): Record<string, number> {
  const n = rho.length;
  const mean = total(rho) / n;
  let sq = 0;
  for (const v of rho) sq += (v - mean) ** 2;
  return { 'rho/mean': mean, 'rho/std': Math.sqrt(sq / Math.max(1, n - 1)), 'rho/min': Math.min(...rho), 'rho/max': Math.max(...rho) };
}

function nextState(out: Outputs, state: RouterState): RouterState {
  const take = (name: string): HostTensor => {
    const t = out[newName(name)];
    if (!t) throw new EngineError('runtime-failure', `The router training step returned no '${newName(name)}'.`, { output: newName(name) });
    return t;
  };
  const params = Object.fromEntries(Object.keys(state.params).map((n) => [n, take(n)]));
  const opt = Object.fromEntries(Object.keys(state.optimizer).map((n) => [n, take(n)]));
  return { params, optimizer: opt, updates: state.updates + 1 };
}

/** Fresh state: parameters as given, optimiser state zero. */
export function initialState(params: readonly { name: string; dims: readonly number[]; data: Float32Array }[], spec: RouterSpec, optimizer: Optimizer): RouterState {
  const shapes = routerParamShapes(spec);
  const byName: Record<string, HostTensor> = {};
  const opt: Record<string, HostTensor> = {};
  for (const { name, dims } of shapes) {
    const p = params.find((q) => q.name === name);
    if (!p || p.dims.join() !== dims.join()) throw new EngineError('invalid-argument', `Router parameter '${name}' must be float32[${dims.join(', ')}].`, { param: name });
    byName[name] = hostTensor('float32', dims, p.data);
    for (const st of optimizer.stateNames) opt[stateInputName(name, st)] = hostTensor('float32', dims, new Float32Array(p.data.length));
  }
  return { params: byName, optimizer: opt, updates: 0 };
}
