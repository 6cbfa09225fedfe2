// Trainer: holds parameters and optimiser state as host tensors and runs one training step per
// onnxruntime call (forward, backward and update in one graph, see training-graph.ts); evaluation
// runs the forward graph with the current parameters. Parameters never leave the trainer aliased:
// each step replaces them with the step's outputs. Optionally it keeps an exponential moving average
// of the parameters from a given step on (what a diffusion model is sampled with: the average of
// the last thousand or so iterates draws far cleaner images than the last iterate alone).
import { EngineError } from '../core/errors';
import type { Graph } from '../ir';
import { emitModel } from '../onnx';
import { hostTensor, openSession, type Feeds, type HostTensor, type Outputs, type RuntimeSession, type SessionConfig } from '../runtime';
import type { Optimizer } from './optimizer';
import { buildTrainingGraph, hyperInputName, newName, stateInputName } from './training-graph';

/** Everything a training run needs to continue exactly where it stopped (see Trainer.snapshot). */
export interface TrainerSnapshot {
  readonly step: number;
  readonly params: Readonly<Record<string, HostTensor>>;
  /** Optimiser state by input name 'opt/<param>/<state>'. */
  readonly optimizerState: Readonly<Record<string, HostTensor>>;
  /** The parameters' moving average, once it has started (TrainerOptions.ema). */
  readonly ema?: Readonly<Record<string, HostTensor>>;
}

/** An exponential moving average of the parameters: it starts as a copy at step `from`, then ema = decay * ema + (1 - decay) * params after every applied step. */
export interface EmaOptions {
  readonly decay: number;
  readonly from: number;
}

export interface TrainerOptions {
  /** Initial values of the trained inputs of the forward graph, by name. */
  readonly params: Readonly<Record<string, HostTensor>>;
  readonly optimizer: Optimizer;
  /** Scalar loss output of the forward graph (default 'loss'). */
  readonly loss?: string;
  /** Forward outputs the training step also returns. */
  readonly keep?: readonly string[];
  readonly session?: SessionConfig;
  /** Continue from a snapshot (its parameters replace `params`, which still give names and shapes). */
  readonly resume?: TrainerSnapshot;
  readonly ema?: EmaOptions;
}

export interface StepResult {
  readonly loss: number;
  readonly outputs: Outputs;
  /** The loss was not finite: parameters, optimiser state and step count were left as they were. */
  readonly skipped: boolean;
}

export class Trainer {
  private params: Record<string, HostTensor>;
  private state: Record<string, HostTensor>;
  private ema: Record<string, HostTensor> | undefined;
  private steps = 0;
  private evalSession: RuntimeSession | undefined;

  private constructor(
    private readonly forward: Graph,
    private readonly options: TrainerOptions,
    private readonly session: RuntimeSession,
  ) {
    this.params = { ...options.params };
    this.state = {};
    for (const [name, p] of Object.entries(options.params)) {
      for (const s of options.optimizer.stateNames) this.state[stateInputName(name, s)] = zerosLike(p);
    }
    if (options.resume) this.restore(options.resume);
  }

  private restore(snapshot: TrainerSnapshot): void {
    for (const [table, from, what] of [[this.params, snapshot.params, 'parameter'], [this.state, snapshot.optimizerState, 'optimizer state']] as const) {
      for (const [name, current] of Object.entries(table)) {
        const saved = from[name];
        if (!saved || saved.dtype !== current.dtype || saved.dims.join() !== current.dims.join()) {
          throw new EngineError('invalid-argument', `The snapshot has no ${what} '${name}' of ${current.dtype}[${current.dims.join(', ')}]; resume with a snapshot of the same model and optimiser.`, { name, what });
        }
        table[name] = saved;
      }
    }
    this.steps = snapshot.step;
    if (snapshot.ema) {
      for (const [name, current] of Object.entries(this.params)) {
        const saved = snapshot.ema[name];
        if (!saved || saved.dims.join() !== current.dims.join()) throw new EngineError('invalid-argument', `The snapshot's moving average has no '${name}' of [${current.dims.join(', ')}]; resume with a snapshot of the same model.`, { name });
      }
      this.ema = { ...snapshot.ema };
    }
  }

  static async create(forward: Graph, options: TrainerOptions): Promise<Trainer> {
    checkParams(forward, options.params);
    const graph = buildTrainingGraph(forward, { loss: options.loss ?? 'loss', params: Object.keys(options.params), optimizer: options.optimizer, keep: options.keep ?? [] });
    const session = await openSession({ bytes: emitModel(graph), name: graph.name }, options.session ?? {});
    return new Trainer(forward, options, session);
  }

  get stepCount(): number { return this.steps; }

  /** Current parameter values (replaced, never mutated, by each step). */
  get parameters(): Readonly<Record<string, HostTensor>> { return this.params; }

  /** The parameters' moving average when it has started (TrainerOptions.ema), else the parameters. */
  get averaged(): Readonly<Record<string, HostTensor>> { return this.ema ?? this.params; }

  /** The run so far: step count, parameters, optimiser state and moving average (host tensors, not copied). */
  snapshot(): TrainerSnapshot {
    return { step: this.steps, params: { ...this.params }, optimizerState: { ...this.state }, ...(this.ema ? { ema: { ...this.ema } } : {}) };
  }

  private updateAverage(): void {
    const o = this.options.ema;
    if (!o || this.steps < o.from) return;
    if (!this.ema) {
      this.ema = Object.fromEntries(Object.entries(this.params).map(([n, p]) => [n, copyOf(p)]));
      return;
    }
    for (const [name, p] of Object.entries(this.params)) {
      const next = copyOf(this.ema[name] ?? p);
      const [avg, cur] = [next.data as Float32Array | Float64Array, p.data as Float32Array | Float64Array];
      for (let i = 0; i < avg.length; i++) avg[i] = o.decay * (avg[i] ?? 0) + (1 - o.decay) * (cur[i] ?? 0);
      this.ema[name] = next;
    }
  }

  /**
   * One optimiser step on a batch (the forward graph's non-parameter inputs); returns the loss before
   * the update. A non-finite loss is not applied (see StepResult.skipped).
   */
  async step(batch: Feeds, lr: number = this.options.optimizer.lr): Promise<StepResult> {
    const t = this.steps + 1;
    const dtype = firstParam(this.params).dtype;
    const hyper: Record<string, HostTensor> = {};
    for (const [name, value] of Object.entries(this.options.optimizer.hyperValues(t, lr))) hyper[hyperInputName(name)] = scalar(dtype, value);
    const out = await this.session.run({ ...batch, ...this.params, ...this.state, ...hyper });
    const loss = Number(take(out, this.options.loss ?? 'loss').data[0]);
    if (!Number.isFinite(loss)) return { loss, outputs: out, skipped: true };
    for (const name of Object.keys(this.params)) this.params[name] = take(out, newName(name));
    for (const name of Object.keys(this.state)) this.state[name] = take(out, newName(name));
    this.steps = t;
    this.updateAverage();
    return { loss, outputs: out, skipped: false };
  }

  /** Runs the forward graph with the current parameters. */
  async evaluate(batch: Feeds, outputs?: readonly string[]): Promise<Outputs> {
    this.evalSession ??= await openSession({ bytes: emitModel(this.forward), name: this.forward.name }, this.options.session ?? {});
    return this.evalSession.run({ ...batch, ...this.params }, outputs);
  }
}

function checkParams(forward: Graph, params: Readonly<Record<string, HostTensor>>): void {
  if (Object.keys(params).length === 0) throw new EngineError('invalid-argument', 'A trainer needs at least one parameter to train.', {});
  for (const [name, p] of Object.entries(params)) {
    const input = forward.inputs.find((i) => i.name === name);
    if (!input || input.type.dtype !== p.dtype || input.type.shape.join() !== p.dims.join()) {
      throw new EngineError('shape-mismatch', `Parameter '${name}' (${p.dtype}[${p.dims.join(', ')}]) does not match an input of graph '${forward.name}'${input ? ` (${input.type.dtype}[${input.type.shape.join(', ')}])` : ''}.`, { param: name, graph: forward.name });
    }
  }
}

function firstParam(params: Readonly<Record<string, HostTensor>>): HostTensor {
  const [p] = Object.values(params);
  if (!p) throw new EngineError('invalid-argument', 'A trainer needs at least one parameter to train.', {});
  return p;
}

function take(out: Outputs, name: string): HostTensor {
  const t = out[name];
  if (!t) throw new EngineError('runtime-failure', `The training step returned no '${name}'.`, { output: name });
  return t;
}

function copyOf(p: HostTensor): HostTensor {
  return p.dtype === 'float64' ? hostTensor('float64', p.dims, Float64Array.from(p.data as Float64Array)) : hostTensor('float32', p.dims, Float32Array.from(p.data as Float32Array));
}

function zerosLike(p: HostTensor): HostTensor {
  return p.dtype === 'float64' ? hostTensor('float64', p.dims, new Float64Array(p.data.length)) : hostTensor('float32', p.dims, new Float32Array(p.data.length));
}

function scalar(dtype: HostTensor['dtype'], value: number): HostTensor {
  return dtype === 'float64' ? hostTensor('float64', [], Float64Array.of(value)) : hostTensor('float32', [], Float32Array.of(value));
}
