// The routing a trained router gives, recorded for the Routing view: the deterministic inference
// routing (no noise, as bundles ship it) of every prompt of the run's dataset whose embedding the
// preparation cache holds, with its margin (assigned score minus the runner-up's), and each expert's
// hard architecture, MACs and code bias. With optimal transport the biases balance the run's prompts
// over the codes as Sinkhorn balanced them in training (router/code-bias.ts); without it (the
// ablation) they are 0 and the routing is the plain argmax. The trainer calls `record` at every
// checkpoint and at the end, so a paused run shows its map; a rewrite replaces the earlier rows
// (RoutingRepository). The single-architecture baseline has one expert that every prompt goes to
// (margin 0).
import { EngineError } from '../../core/errors';
import { cacheKey, captionHash, PreparedCache } from '../../data/prepared-cache';
import { GraphSessions } from '../../data/sd-encoders';
import { GraphBuilder, type Graph } from '../../ir';
import { hostTensor, type HostTensor, type SessionConfig } from '../../runtime';
import { RoutingRepository, type Assignment } from '../../store/repositories/routing';
import type { Workspace } from '../../store/workspace';
import { gatedMacs, type ResourceModel } from '../losses';
import { biasedArgmax, calibratedExpert, codeBiases, gatePreactivations, ROUTER_PARAMS, routerParamShapes, routerForward, ROUTER_INPUTS, type RouterSpec } from '../router';
import { expertArchitecture } from '../routing-map/architecture';
import type { RouterState } from './prune-step';

/** Prompts routed per session run. */
const CHUNK = 256;
const OUT = { scores: 'scores', pre: 'expert_preactivations' } as const;

export interface RoutingTarget {
  readonly ws: Workspace;
  readonly runId: string;
  readonly datasetId: string;
  /** The prepared-cache model id of the prompt embeddings the router reads. */
  readonly encoder: string;
}

/** Inference routing of `batch` prompts (parameters as inputs, so one session serves every checkpoint). */
export function buildRoutingGraph(spec: RouterSpec, batch: number): Graph {
  const b = new GraphBuilder('routing');
  const params = Object.fromEntries(routerParamShapes(spec).map((p) => [p.name, b.input(p.name, 'float32', p.dims)]));
  const embedding = b.input(ROUTER_INPUTS.embedding, 'float32', [batch, spec.embedDim]);
  b.output(gatePreactivations(b, spec, params[spec.kind === 'single' ? ROUTER_PARAMS.arch : ROUTER_PARAMS.codebook]!), OUT.pre);
  if (spec.kind === 'single') return b.build();
  const values = routerForward(b, spec, { params, embedding, predictorNoise: null, codeNoise: null }, false);
  if (!values.scores) throw new EngineError('graph-invalid', 'The router produced no scores.', {});
  b.output(values.scores, OUT.scores);
  return b.build();
}

export class RoutingRecorder {
  private readonly sessions: GraphSessions;

  constructor(private readonly spec: RouterSpec, private readonly resource: ResourceModel, private readonly target: RoutingTarget, session: SessionConfig = {}) {
    this.sessions = new GraphSessions(session);
  }

  private run(state: RouterState, embedding: Float32Array) {
    const params: Record<string, HostTensor> = Object.fromEntries(routerParamShapes(this.spec).map((p) => [p.name, state.params[p.name]!]));
    return this.sessions.get(`routing_b${CHUNK}`, () => buildRoutingGraph(this.spec, CHUNK)).then((s) =>
      s.run({ ...params, [ROUTER_INPUTS.embedding]: hostTensor('float32', [CHUNK, this.spec.embedDim], embedding) }));
  }

  /**
   * Each expert's hard gate vector [L] (1 keeps an entry): each code's, or the baseline's one
   * architecture's, entries in order of their on-probability under the training's noise, as many as
   * its expected MACs take (router/calibrated-experts.ts).
   */
  async architectures(state: RouterState): Promise<Float32Array[]> {
    return this.calibrated((await this.run(state, new Float32Array(CHUNK * this.spec.embedDim)))[OUT.pre]!.data as Float32Array);
  }

  private calibrated(pre: Float32Array): Float32Array[] {
    const l = this.spec.layout.vectorLength;
    return Array.from({ length: pre.length / l }, (_, k) => Float32Array.from(calibratedExpert(this.spec, this.resource, pre.subarray(k * l, (k + 1) * l)).gates));
  }

  /** Routes every prompt with an embedding and records experts and assignments; returns the prompts routed per expert. */
  async record(state: RouterState): Promise<number[]> {
    const { ws, runId, datasetId, encoder } = this.target;
    const repo = new RoutingRepository(ws.db);
    const items = repo.promptItems(datasetId);
    const known = repo.embeddingHashes(encoder, [...new Set(items.map((i) => captionHash(i.caption)))]);
    const routed = items.filter((i) => known.has(captionHash(i.caption)));
    const cache = new PreparedCache(ws);
    const e = this.spec.embedDim;
    const k = this.spec.kind === 'single' ? 1 : this.spec.experts;
    const scores = new Float32Array(routed.length * k);
    let pre: Float32Array | undefined;
    for (let start = 0; start < routed.length; start += CHUNK) {
      const chunk = routed.slice(start, start + CHUNK);
      const embedding = new Float32Array(CHUNK * e);
      for (const [row, item] of chunk.entries()) {
        const t = await cache.read(cacheKey('prompt-embedding', captionHash(item.caption), encoder, 0, ''));
        if (!t || !(t.data instanceof Float32Array) || t.data.length !== e) {
          throw new EngineError('corrupt-file', `The prompt embedding of item ${item.id} is missing or not ${e}-d; run \`aptp data prepare\` again.`, { itemId: item.id });
        }
        embedding.set(t.data, row * e);
      }
      if (this.spec.kind === 'single') continue;
      const out = await this.run(state, embedding);
      scores.set((out[OUT.scores]!.data as Float32Array).subarray(0, chunk.length * k), start * k);
      pre ??= out[OUT.pre]!.data as Float32Array;
    }
    const n = routed.length;
    const bias = this.spec.kind === 'router' && this.spec.optimalTransport ? codeBiases(scores, n, k, { epsilon: this.spec.sinkhornEpsilon }) : new Array<number>(k).fill(0);
    const { expert, margin } = biasedArgmax(scores, n, k, bias);
    const assignments: Assignment[] = routed.map((item, i) => ({ itemId: item.id, expert: expert[i]!, margin: Math.max(0, margin[i]!) }));
    // the codes' pre-activations come with every routing run; only the baseline (or no prompts) needs one of its own
    const experts = (pre ? this.calibrated(pre) : await this.architectures(state)).map((hard, id) => ({ expert: id, macs: gatedMacs(this.resource, hard), bias: bias[id]!, blocks: expertArchitecture(this.spec.layout, hard) }));
    repo.defineRun({ runId, datasetId, encoder, baseMacs: this.resource.totalMacs, experts });
    repo.writeAssignments(runId, assignments);
    const counts = new Array<number>(k).fill(0);
    for (const a of assignments) counts[a.expert]! += 1;
    return counts;
  }

  dispose(): Promise<void> {
    return this.sessions.dispose();
  }
}
