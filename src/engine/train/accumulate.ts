// Gradient accumulation: one optimiser step over several micro-batches, for global batches that do
// not fit one session run. A gradient graph (forward, loss, d loss / d params; no update) runs per
// micro-batch, the host averages the gradients (so a mean loss over K equal micro-batches gives the
// gradient of the mean loss over their union), and an update graph (the optimiser's own ops) applies
// them. Gradients cross between the two sessions, on top of the parameters and state that cross
// anyway (see bench/world-weight-copies.ts).
import { grad } from '../autodiff';
import { EngineError } from '../core/errors';
import { GraphBuilder, eliminateDeadCode, type Graph, type Value } from '../ir';
import { emitModel } from '../onnx';
import { hostTensor, openSession, type Feeds, type HostTensor, type RuntimeSession, type SessionConfig } from '../runtime';
import type { Optimizer } from './optimizer';
import type { TrainerSnapshot } from './trainer';

const gradName = (p: string): string => `grad/${p}`;
const stateName = (p: string, s: string): string => `opt/${p}/${s}`;

function gradientGraph(forward: Graph, loss: string, params: readonly string[]): Graph {
  const g = grad(forward, { loss, wrt: params });
  return eliminateDeadCode({ ...g, outputs: g.outputs.filter((o) => o.name === loss || o.name.startsWith('grad/')) });
}

function updateGraph(optimizer: Optimizer, params: Readonly<Record<string, HostTensor>>): Graph {
  const b = new GraphBuilder('accumulated_update');
  const hyper: Record<string, Value> = {};
  for (const h of optimizer.hyperNames) hyper[h] = b.input(`opt/${h}`, 'float32', []);
  for (const [name, t] of Object.entries(params)) {
    const p = b.input(name, 'float32', t.dims);
    const g = b.input(gradName(name), 'float32', t.dims);
    const state = optimizer.stateNames.map((s) => b.input(stateName(name, s), 'float32', t.dims));
    const u = b.scope(`optimizer/${name}`, () => optimizer.update(b, p, g, state, hyper));
    b.output(u.param, `new/${name}`);
    u.state.forEach((v, i) => b.output(v, `new/${stateName(name, optimizer.stateNames[i] ?? '')}`));
  }
  return b.build();
}

export class AccumulatingTrainer {
  private params: Record<string, HostTensor>;
  private state: Record<string, HostTensor> = {};
  private steps = 0;

  private constructor(private readonly grads: RuntimeSession, private readonly update: RuntimeSession, private readonly optimizer: Optimizer, private readonly loss: string, params: Record<string, HostTensor>) {
    this.params = { ...params };
    for (const [name, p] of Object.entries(params)) for (const s of optimizer.stateNames) this.state[stateName(name, s)] = hostTensor('float32', p.dims, new Float32Array(p.data.length));
  }

  static async create(forward: Graph, options: { params: Record<string, HostTensor>; optimizer: Optimizer; loss?: string; session?: SessionConfig }): Promise<AccumulatingTrainer> {
    const loss = options.loss ?? 'loss';
    for (const [name, t] of Object.entries(options.params)) if (t.dtype !== 'float32') throw new EngineError('dtype-mismatch', `Accumulated training keeps float32 parameters; '${name}' is ${t.dtype}.`, { param: name });
    const g = gradientGraph(forward, loss, Object.keys(options.params));
    const u = updateGraph(options.optimizer, options.params);
    const config = options.session ?? {};
    return new AccumulatingTrainer(await openSession({ bytes: emitModel(g), name: g.name }, config), await openSession({ bytes: emitModel(u), name: u.name }, config), options.optimizer, loss, options.params);
  }

  get stepCount(): number { return this.steps; }
  get parameters(): Readonly<Record<string, HostTensor>> { return this.params; }
  snapshot(): TrainerSnapshot { return { step: this.steps, params: { ...this.params }, optimizerState: { ...this.state } }; }

  /** One optimiser step over `microBatches` (equal sizes); returns the mean micro-batch loss. */
  async step(microBatches: readonly Feeds[], lr: number = this.optimizer.lr): Promise<{ loss: number; skipped: boolean }> {
    if (microBatches.length === 0) throw new EngineError('invalid-argument', 'An accumulated step needs at least one micro-batch.', {});
    const sums: Record<string, Float32Array> = {};
    let loss = 0;
    for (const feeds of microBatches) {
      const out = await this.grads.run({ ...feeds, ...this.params });
      loss += Number(out[this.loss]?.data[0]) / microBatches.length;
      for (const name of Object.keys(this.params)) {
        const g = out[gradName(name)]?.data as Float32Array;
        const sum = (sums[name] ??= new Float32Array(g.length));
        for (let i = 0; i < g.length; i++) sum[i] = (sum[i] as number) + (g[i] as number) / microBatches.length;
      }
    }
    if (!Number.isFinite(loss)) return { loss, skipped: true };
    const t = this.steps + 1;
    const feeds: Record<string, HostTensor> = { ...this.params, ...this.state };
    for (const [name, v] of Object.entries(this.optimizer.hyperValues(t, lr))) feeds[`opt/${name}`] = hostTensor('float32', [], Float32Array.of(v));
    for (const [name, s] of Object.entries(sums)) feeds[gradName(name)] = hostTensor('float32', this.params[name]!.dims, s);
    const out = await this.update.run(feeds);
    for (const name of Object.keys(this.params)) this.params[name] = out[`new/${name}`]!;
    for (const name of Object.keys(this.state)) this.state[name] = out[`new/${name}`]!;
    this.steps = t;
    return { loss, skipped: false };
  }
}
