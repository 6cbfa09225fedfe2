// Trainer: holds parameters and optimiser state as host tensors and runs one training step per
// onnxruntime call (forward, backward and update in one graph, see training-graph.ts), with
// parameters and state packed into one vector each (snapshots name them per parameter); evaluation
// runs the forward graph with the current parameters. Parameters never leave the trainer aliased:
// each step replaces them with the step's outputs. Optionally it keeps an exponential moving average
// of the parameters from a given step on (what a diffusion model is sampled with: the average of
// the last thousand or so iterates draws far cleaner images than the last iterate alone).
import { EngineError } from '../core/errors';
import type { Graph } from '../ir';
import { emitModel } from '../onnx';
import { hostTensor, openSession, type Feeds, type HostTensor, type Outputs, type RuntimeSession, type SessionConfig } from '../runtime';
import type { Optimizer } from './optimizer';
import { buildTrainingGraph, hyperInputName, newName, packedLayout, packedStateName, PACKED_PARAMS, stateInputName, type PackedLayout } from './training-graph';

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

type FloatArray = Float32Array | Float64Array;

export class Trainer {
  private readonly layout: PackedLayout;
  private readonly dtype: 'float32' | 'float64';
  /** Parameters, optimiser state and moving average as packed vectors (training-graph.ts), replaced by each step, never mutated. */
  private packed: FloatArray;
  private packedState: Record<string, FloatArray>;
  private packedEma: FloatArray | undefined;
  private steps = 0;
  private evalSession: RuntimeSession | undefined;

  private constructor(
    private readonly forward: Graph,
    private readonly options: TrainerOptions,
    private readonly session: RuntimeSession,
  ) {
    const first = firstParam(options.params);
    this.dtype = first.dtype === 'float64' ? 'float64' : 'float32';
    this.layout = packedLayout(Object.entries(options.params).map(([name, p]) => ({ name, dims: p.dims })));
    this.packed = this.pack(options.params, 'parameter');
    this.packedState = Object.fromEntries(options.optimizer.stateNames.map((s) => [s, this.alloc()]));
    if (options.resume) this.restore(options.resume);
  }

  private alloc(): FloatArray {
    return this.dtype === 'float64' ? new Float64Array(this.layout.total) : new Float32Array(this.layout.total);
  }

  /** One packed vector from tensors named by `nameOf(slot)`; refuses a missing or misshapen one naming `what`. */
  private pack(from: Readonly<Record<string, HostTensor>>, what: string, nameOf: (param: string) => string = (n) => n): FloatArray {
    const out = this.alloc();
    for (const slot of this.layout.slots) {
      const name = nameOf(slot.name);
      const t = from[name];
      if (!t || t.dtype !== this.dtype || t.dims.join() !== slot.dims.join()) {
        throw new EngineError('invalid-argument', `The snapshot has no ${what} '${name}' of ${this.dtype}[${slot.dims.join(', ')}]; resume with a snapshot of the same model and optimiser.`, { name, what });
      }
      out.set(t.data as FloatArray, slot.offset);
    }
    return out;
  }

  /** Per-parameter tensors viewing packed vector `v` (named by `nameOf`). */
  private unpack(v: FloatArray, nameOf: (param: string) => string = (n) => n): Record<string, HostTensor> {
    const out: Record<string, HostTensor> = {};
    for (const slot of this.layout.slots) {
      const data = v.subarray(slot.offset, slot.offset + slot.size);
      out[nameOf(slot.name)] = data instanceof Float64Array ? hostTensor('float64', slot.dims, data) : hostTensor('float32', slot.dims, data);
    }
    return out;
  }

  private restore(snapshot: TrainerSnapshot): void {
    this.packed = this.pack(snapshot.params, 'parameter');
    for (const s of this.options.optimizer.stateNames) this.packedState[s] = this.pack(snapshot.optimizerState, 'optimizer state', (n) => stateInputName(n, s));
    this.steps = snapshot.step;
    if (snapshot.ema) this.packedEma = this.pack(snapshot.ema, "moving average's parameter");
  }

  static async create(forward: Graph, options: TrainerOptions): Promise<Trainer> {
    checkParams(forward, options.params);
    const graph = buildTrainingGraph(forward, { loss: options.loss ?? 'loss', params: Object.keys(options.params), optimizer: options.optimizer, keep: options.keep ?? [] });
    const session = await openSession({ bytes: emitModel(graph), name: graph.name }, options.session ?? {});
    return new Trainer(forward, options, session);
  }

  get stepCount(): number { return this.steps; }

  /** Current parameter values (views of a vector each step replaces, never mutates). */
  get parameters(): Readonly<Record<string, HostTensor>> { return this.unpack(this.packed); }

  /** The parameters' moving average when it has started (TrainerOptions.ema), else the parameters. */
  get averaged(): Readonly<Record<string, HostTensor>> { return this.unpack(this.packedEma ?? this.packed); }

  /** The run so far: step count, parameters, optimiser state and moving average (views, not copies; a step never mutates them). */
  snapshot(): TrainerSnapshot {
    const optimizerState: Record<string, HostTensor> = {};
    for (const [s, v] of Object.entries(this.packedState)) Object.assign(optimizerState, this.unpack(v, (n) => stateInputName(n, s)));
    return { step: this.steps, params: this.unpack(this.packed), optimizerState, ...(this.packedEma ? { ema: this.unpack(this.packedEma) } : {}) };
  }

  private updateAverage(): void {
    const o = this.options.ema;
    if (!o || this.steps < o.from) return;
    const cur = this.packed;
    const prev = this.packedEma;
    if (!prev) {
      this.packedEma = cur.slice();
      return;
    }
    const avg = this.alloc();
    for (let i = 0; i < avg.length; i++) avg[i] = o.decay * (prev[i] as number) + (1 - o.decay) * (cur[i] as number);
    this.packedEma = avg;
  }

  /**
   * One optimiser step on a batch (the forward graph's non-parameter inputs); returns the loss before
   * the update. A non-finite loss is not applied (see StepResult.skipped).
   */
  async step(batch: Feeds, lr: number = this.options.optimizer.lr): Promise<StepResult> {
    const t = this.steps + 1;
    const feeds: Record<string, HostTensor> = { ...batch, [PACKED_PARAMS]: this.tensor(this.packed) };
    for (const [name, value] of Object.entries(this.options.optimizer.hyperValues(t, lr))) feeds[hyperInputName(name)] = scalar(this.dtype, value);
    for (const [s, v] of Object.entries(this.packedState)) feeds[packedStateName(s)] = this.tensor(v);
    const out = await this.session.run(feeds);
    const loss = Number(take(out, this.options.loss ?? 'loss').data[0]);
    if (!Number.isFinite(loss)) return { loss, outputs: out, skipped: true };
    this.packed = take(out, newName(PACKED_PARAMS)).data as FloatArray;
    for (const s of Object.keys(this.packedState)) this.packedState[s] = take(out, newName(packedStateName(s))).data as FloatArray;
    this.steps = t;
    this.updateAverage();
    return { loss, outputs: out, skipped: false };
  }

  private tensor(v: FloatArray): HostTensor {
    return v instanceof Float64Array ? hostTensor('float64', [v.length], v) : hostTensor('float32', [v.length], v);
  }

  /** Runs the forward graph with the current parameters. */
  async evaluate(batch: Feeds, outputs?: readonly string[]): Promise<Outputs> {
    this.evalSession ??= await openSession({ bytes: emitModel(this.forward), name: this.forward.name }, this.options.session ?? {});
    return this.evalSession.run({ ...batch, ...this.parameters }, outputs);
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

function scalar(dtype: HostTensor['dtype'], value: number): HostTensor {
  return dtype === 'float64' ? hostTensor('float64', [], Float64Array.of(value)) : hostTensor('float32', [], Float32Array.of(value));
}
