// Trainer: holds parameters and optimiser state as host tensors and runs one training step per
// onnxruntime call (forward, backward and update in one graph, see training-graph.ts); evaluation
// runs the forward graph with the current parameters. Parameters never leave the trainer aliased:
// each step replaces them with the step's outputs.
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

  /** The run so far: step count, parameters and optimiser state (host tensors, not copied). */
  snapshot(): TrainerSnapshot {
    return { step: this.steps, params: { ...this.params }, optimizerState: { ...this.state } };
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

function zerosLike(p: HostTensor): HostTensor {
  return p.dtype === 'float64' ? hostTensor('float64', p.dims, new Float64Array(p.data.length)) : hostTensor('float32', p.dims, new Float32Array(p.data.length));
}

function scalar(dtype: HostTensor['dtype'], value: number): HostTensor {
  return dtype === 'float64' ? hostTensor('float64', [], Float64Array.of(value)) : hostTensor('float32', [], Float32Array.of(value));
}
