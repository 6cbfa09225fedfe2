// Oracle bridge for APTP's router and losses, TypeScript side: for each scenario (tiny or SD 2.1
// gate layout; training with optimal transport, without it, predictor pre-training, the
// single-architecture baseline, resource-aware normalisation) it builds the engine's router graphs
// with float64 inputs and outputs (or float32, as training feeds them: --io float32), runs them on onnxruntime-node (CPU) with seeded parameters, embeddings, Gumbel noise
// and an upstream d(loss)/d(gates), and writes inputs, outputs and the structure facts the PyTorch
// twin needs (group layout, depth order, MACs per entry and per unit) into <out>/<scenario>/.
//   tsx tests/oracle/aptp/emit-router.ts --out tests/oracle/cache/aptp [--io float32]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { contrastiveLoss, prunableTarget, resourceModel } from '../../../src/engine/aptp/losses';
import {
  biasedArgmax, buildInferenceRouter, buildRouterForward, buildRouterStep, codeBiases, gumbelNoise, initRouterParams, ROUTER_INPUTS, ROUTER_OUTPUTS, ROUTER_PARAMS, routerForward, routerParamShapes, routerSpec,
  sinkhorn, type Gating, type RouterOptions,
} from '../../../src/engine/aptp/router';
import { GraphBuilder, type Graph } from '../../../src/engine/ir';
import { gateLayout, presetUNetConfig, unetMacs } from '../../../src/engine/models/sd/structure';
import { unetConfigSchema } from '../../../src/engine/models/sd/config/unet';
import { resolveUNet } from '../../../src/engine/models/sd/unet/arch';
import { emitModel } from '../../../src/engine/onnx';
import { hostTensor, loadSession, type Feeds, type HostTensor } from '../../../src/engine/runtime';
import { Random } from '../../../src/engine/train/random';
import { encodeNpy } from '../ts/npy';

const WEIGHTS: { resource: number; contrastive: number; std: number; max: number } = { resource: 2, contrastive: 100, std: 0.1, max: 0.1 };

interface Scenario {
  readonly name: string;
  readonly unet: 'tiny' | 'sd21';
  readonly batch: number;
  readonly embedDim: number;
  readonly gating: Gating;
  readonly options: RouterOptions;
  /** Router-side loss weights (default: APTP.md's). */
  readonly weights?: typeof WEIGHTS;
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'train_ot', unet: 'tiny', batch: 8, embedDim: 16, gating: 'code', options: { experts: 4 } },
  { name: 'train_no_ot', unet: 'tiny', batch: 8, embedDim: 16, gating: 'code', options: { experts: 4, optimalTransport: false } },
  { name: 'pretrain', unet: 'tiny', batch: 8, embedDim: 16, gating: 'predictor', options: { experts: 4 } },
  { name: 'resource_aware', unet: 'tiny', batch: 6, embedDim: 16, gating: 'code', options: { experts: 3, resourceAwareNormalization: true } },
  // the authors' single_arch config: DDPM + resource only (std would be 0 with an infinite gradient)
  { name: 'single', unet: 'tiny', batch: 5, embedDim: 16, gating: 'predictor', options: { kind: 'single' }, weights: { resource: 2, contrastive: 0, std: 0, max: 0 } },
  { name: 'sd21', unet: 'sd21', batch: 8, embedDim: 24, gating: 'code', options: { experts: 8 } },
];

const TEMPERATURES = { arch: 0.03, prompt: 0.03 };
const BUDGET = 0.7;

function tinyConfig() {
  return unetConfigSchema.parse({
    block_out_channels: [32, 64], layers_per_block: 2, down_block_types: ['CrossAttnDownBlock2D', 'DownBlock2D'],
    up_block_types: ['UpBlock2D', 'CrossAttnUpBlock2D'], attention_head_dim: 2, norm_num_groups: 8, cross_attention_dim: 16,
  });
}

async function run(graph: Graph, feeds: Feeds): Promise<Record<string, HostTensor>> {
  const session = await loadSession({ bytes: emitModel(graph), name: graph.name }, 'cpu', { intraOpThreads: 1, optimization: 'basic' });
  try {
    return await session.run(Object.fromEntries(graph.inputs.map((v) => [v.name, feeds[v.name] as HostTensor])));
  } finally {
    await session.dispose();
  }
}

let IO: 'float32' | 'float64' = 'float64';
const f64 = (dims: readonly number[], values: ArrayLike<number>): HostTensor => (IO === 'float64' ? hostTensor('float64', dims, Float64Array.from(values)) : hostTensor('float32', dims, Float32Array.from(values)));
const file = (name: string): string => `${name.replace(/[^A-Za-z0-9_.-]/g, '__')}.npy`;

function write(dir: string, tensors: Record<string, HostTensor>): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {};
  for (const [name, t] of Object.entries(tensors)) {
    files[name] = file(name);
    writeFileSync(join(dir, files[name]), encodeNpy(t));
  }
  return files;
}

async function emit(s: Scenario, dir: string): Promise<Record<string, unknown>> {
  const arch = resolveUNet(s.unet === 'tiny' ? tinyConfig() : presetUNetConfig('sd21'));
  const layout = gateLayout(arch);
  const macs = unetMacs(arch, s.unet === 'tiny' ? { height: 8, width: 8 } : { height: 32, width: 32 });
  const spec = routerSpec(arch, layout, s.embedDim, s.options, macs);
  const resource = resourceModel(layout, macs);
  const target = prunableTarget(BUDGET, resource);
  const l = layout.vectorLength;
  const r = new Random(layout.vectorLength + s.batch);
  const feeds: Record<string, HostTensor> = {};
  for (const p of initRouterParams(spec, 3)) feeds[p.name] = f64(p.dims, Array.from(p.data, (v, i) => v + (p.name.endsWith('bias') ? 0.3 * Math.sin(i) : 0)));
  feeds[ROUTER_INPUTS.embedding] = f64([s.batch, s.embedDim], r.normals(s.batch * s.embedDim, 1, 0));
  feeds[ROUTER_INPUTS.predictorNoise] = f64([spec.kind === 'single' ? 1 : s.batch, l], gumbelNoise(r, (spec.kind === 'single' ? 1 : s.batch) * l));
  if (spec.kind === 'router') feeds[ROUTER_INPUTS.codeNoise] = f64([spec.experts, l], gumbelNoise(r, spec.experts * l));
  const forward = await run(buildRouterForward(spec, s.batch, s.gating, resource, IO), feeds);
  if (s.gating === 'code') feeds[ROUTER_INPUTS.assignment] = forward[ROUTER_OUTPUTS.assignment] as HostTensor;
  feeds[ROUTER_INPUTS.gateSeed] = f64([s.batch, l], r.normals(s.batch * l, 0.01, 0));
  const step = await run(buildRouterStep(spec, s.batch, s.gating, { resource, target, weights: s.weights ?? WEIGHTS, temperatures: TEMPERATURES }, IO), feeds);
  // the parts and the shipped router are checked once, from the float64 run
  const parts = spec.kind === 'router' && IO === 'float64' ? await run(partsGraph(spec, s), feeds) : {};
  if (spec.kind === 'router' && IO === 'float64') await emitInference(spec, s, dir);
  const prefixed = (pre: string, t: Record<string, HostTensor>) => Object.fromEntries(Object.entries(t).map(([k, v]) => [`${pre}:${k}`, v]));
  return {
    inputs: write(join(dir, 'inputs'), feeds),
    outputs: write(join(dir, 'outputs'), { ...prefixed('forward', forward), ...prefixed('step', step), ...prefixed('parts', parts) }),
    structure: {
      kind: spec.kind, gating: s.gating, experts: spec.experts, temperature: spec.temperature, offset: spec.offset,
      optimal_transport: spec.optimalTransport, sinkhorn_epsilon: spec.sinkhornEpsilon, sinkhorn_iterations: spec.sinkhornIterations,
      resource_aware: s.options.resourceAwareNormalization ?? false, depth_order: spec.depthOrder, target, weights: s.weights ?? WEIGHTS, temperatures: TEMPERATURES,
      params: routerParamShapes(spec).map((p) => p.name),
      width_groups: layout.widthGroups.map((g) => ({ id: g.id, offset: g.offset, width: g.width, unit: g.unit, macs_per_entry: macs.perEntry[g.id] })),
      depth_groups: layout.depthGroups.map((g) => ({ id: g.id, offset: g.offset, unit: g.unit })),
      units: macs.units.map((u) => ({ unit: u.unit, fixed: u.fixed })),
      prunable_macs: macs.prunable, total_macs: macs.total,
    },
  };
}

/** Prompts the shipped inference router routes in the oracle (its own batch, larger than training's). */
const INFERENCE_PROMPTS = 64;

/**
 * The shipped inference router (float32, parameters baked in) as model file plus its expert ids,
 * with the code biases (router/code-bias.ts) that balance its prompts over the codes. Freshly
 * initialised parameters switch nearly every gate on without noise, so all prompts and codes look
 * alike; these are drawn like trained ones instead: logits around the offset's -3, each prompt's
 * moved by its embedding, so prompts and codes keep different gates and the scores differ.
 */
async function emitInference(spec: ReturnType<typeof routerSpec>, s: Scenario, dir: string): Promise<void> {
  const r = new Random(s.embedDim + 17);
  const n = INFERENCE_PROMPTS;
  const drawn: Record<string, (count: number) => number[]> = {
    [ROUTER_PARAMS.predictorWeight]: (count) => r.normals(count, 1.5 / Math.sqrt(s.embedDim), 0),
    [ROUTER_PARAMS.predictorBias]: (count) => r.normals(count, 1.5, -3),
    [ROUTER_PARAMS.codebook]: (count) => r.normals(count, 2, -3),
  };
  const params = routerParamShapes(spec).map((p) => ({ name: p.name, dims: p.dims, data: Float32Array.from(drawn[p.name]!(p.dims.reduce((a, d) => a * d, 1))) }));
  write(join(dir, 'inference'), Object.fromEntries(params.map((p) => [p.name, hostTensor('float32', p.dims, p.data)])));
  const embedding = hostTensor('float32', [n, s.embedDim], Float32Array.from(r.normals(n * s.embedDim, 1, 0)));
  const b = new GraphBuilder('scores');
  const fixed = Object.fromEntries(params.map((p) => [p.name, b.initializer(p.name, p.data, p.dims)]));
  const scoresOf = routerForward(b, spec, { params: fixed, embedding: b.input(ROUTER_INPUTS.embedding, 'float32', [n, s.embedDim]), predictorNoise: null, codeNoise: null }, false).scores;
  if (!scoresOf) throw new Error('the router gave no scores');
  b.output(scoresOf, 'scores');
  const scores = (await run(b.build(), { [ROUTER_INPUTS.embedding]: embedding })).scores!.data as Float32Array;
  const bias = codeBiases(scores, n, spec.experts, { epsilon: spec.sinkhornEpsilon, tolerance: 1e-9 });
  const graph = buildInferenceRouter(spec, params, n, bias);
  writeFileSync(join(dir, 'router.onnx'), emitModel(graph));
  const out = await run(graph, { [ROUTER_INPUTS.embedding]: embedding });
  const expert = out[ROUTER_OUTPUTS.expert] as HostTensor;
  if (Array.from(expert.data as BigInt64Array, Number).join() !== biasedArgmax(scores, n, spec.experts, bias).expert.join()) throw new Error('the inference router and biasedArgmax disagree');
  write(join(dir, 'inference'), { [ROUTER_INPUTS.embedding]: embedding, [ROUTER_OUTPUTS.expert]: expert, code_bias: hostTensor('float64', [spec.experts], Float64Array.from(bias)) });
}

/** Intermediate values of the router for the twin: logits-free parts (routing vectors, Sinkhorn plan, contrastive). */
function partsGraph(spec: ReturnType<typeof routerSpec>, s: Scenario): Graph {
  const b = new GraphBuilder('router_parts');
  const params = Object.fromEntries(routerParamShapes(spec).map((p) => [p.name, b.input(p.name, 'float64', p.dims)]));
  const embedding = b.input(ROUTER_INPUTS.embedding, 'float64', [s.batch, s.embedDim]);
  const predictorNoise = b.input(ROUTER_INPUTS.predictorNoise, 'float64', [s.batch, spec.layout.vectorLength]);
  const codeNoise = b.input(ROUTER_INPUTS.codeNoise, 'float64', [spec.experts, spec.layout.vectorLength]);
  const v = routerForward(b, spec, { params, embedding, predictorNoise, codeNoise });
  b.output(v.predictorRouting, 'predictor_routing');
  if (v.scores) b.output(sinkhorn(b, v.scores, spec.sinkhornEpsilon, spec.sinkhornIterations), 'sinkhorn_plan');
  b.output(contrastiveLoss(b, v.predictorRouting, embedding, TEMPERATURES), 'contrastive');
  return b.build();
}

async function main(argv: readonly string[]): Promise<void> {
  const out = argv[argv.indexOf('--out') + 1];
  if (!argv.includes('--out') || !out) throw new Error('usage: emit-router.ts --out <dir> [--io float32]');
  if (argv.includes('--io')) IO = argv[argv.indexOf('--io') + 1] === 'float32' ? 'float32' : 'float64';
  for (const s of SCENARIOS) {
    const dir = join(out, s.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    let record: Record<string, unknown>;
    try {
      record = { name: s.name, ...(await emit(s, dir)) };
    } catch (cause) {
      record = { name: s.name, error: cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause) };
    }
    writeFileSync(join(dir, 'case.json'), JSON.stringify(record));
  }
  writeFileSync(join(out, 'scenarios.json'), JSON.stringify(SCENARIOS.map((s) => s.name)));
}

await main(process.argv.slice(2));
