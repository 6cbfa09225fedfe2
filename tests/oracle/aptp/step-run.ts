// Oracle bridge for one whole APTP pruning step, TypeScript side: reads a folder the Python side
// wrote (unet/ from diffusers save_pretrained, inputs/*.npy prompt embeddings, text states and
// latent distributions, request.json), runs ONE step of the engine's trainer on it (router
// forward -> UNet micro-batches -> router step), and writes into <dir>/engine/ every random draw
// of the step, the gates, d(mean UNet loss)/d(gates), the router's losses and parameter gradients,
// the initial parameters and the structure facts the PyTorch twin needs (case.json).
//   tsx tests/oracle/aptp/step-run.ts --dir tests/oracle/cache/aptp_step/ot
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { memoryData, type PruneItem } from '../../../src/engine/aptp/trainer/prune-data';
import type { StepObservation } from '../../../src/engine/aptp/trainer/prune-step';
import { createPrune } from '../../../src/engine/aptp/trainer/setup';
import { readJsonFile } from '../../../src/engine/models/sd/config/parse';
import { parseUNetConfig } from '../../../src/engine/models/sd/config/unet';
import { unetMacs } from '../../../src/engine/models/sd/structure/macs';
import { resolveUNet } from '../../../src/engine/models/sd/unet/arch';
import type { ParamSpec, WeightProvider } from '../../../src/engine/models/sd/unet/layers';
import { hostTensor, type HostTensor } from '../../../src/engine/runtime';
import { openSafetensors, tensorSource } from '../../../src/engine/weights';
import { pruneConfigSchema, resolvePruneConfig } from '../../../src/shared/prune-api';
import { decodeNpy } from '../sd_components/npy-read';
import { encodeNpy } from '../ts/npy';

interface Request {
  readonly batch: number;
  readonly microBatch: number;
  readonly experts: number;
  readonly budget: number;
  readonly seed: number;
  readonly optimalTransport: boolean;
  readonly gating: 'predictor' | 'code';
  readonly scheduler: Record<string, unknown>;
  readonly scalingFactor: number;
}

const load = (dir: string, name: string): HostTensor => decodeNpy(readFileSync(join(dir, 'inputs', `${name}.npy`)));
const file = (name: string): string => `${name.replace(/[^A-Za-z0-9_.-]/g, '__')}.npy`;

function items(dir: string): { list: PruneItem[]; latent: [number, number, number]; text: [number, number] } {
  const [emb, text, latent] = ['embedding', 'text', 'latent'].map((n) => load(dir, n)) as [HostTensor, HostTensor, HostTensor];
  const [n = 0, e = 0] = emb.dims;
  const [, t = 0, d = 0] = text.dims;
  const [, c2 = 0, h = 0, w = 0] = latent.dims;
  const at = (x: HostTensor, i: number, size: number) => (x.data as Float32Array).slice(i * size, (i + 1) * size);
  const list = Array.from({ length: n }, (_, i) => ({ embedding: at(emb, i, e), text: at(text, i, t * d), latent: at(latent, i, c2 * h * w) }));
  return { list, latent: [c2 / 2, h, w], text: [t, d] };
}

async function main(dir: string): Promise<void> {
  const request = JSON.parse(readFileSync(join(dir, 'request.json'), 'utf8')) as Request;
  const unetFile = join(dir, 'unet', 'diffusion_pytorch_model.safetensors');
  const unet = parseUNetConfig(readJsonFile(join(dir, 'unet', 'config.json'), 'unet'), { file: join(dir, 'unet', 'config.json'), component: 'unet' });
  const st = await openSafetensors(unetFile);
  const weights: WeightProvider = (spec: ParamSpec) => {
    const t = tensorSource(st, spec.name, 'float32');
    return { dtype: t.dtype, data: t.source };
  };
  const data = items(dir);
  // resolution: 256 as every earlier recording of this step (the latents come from the request, not from it)
  const config = resolvePruneConfig({ ...pruneConfigSchema.parse({
    model: dir, dataset: 'oracle', budget: request.budget, preset: 'coco', experts: request.experts, steps: 1, batch: request.batch, microBatch: request.microBatch,
    pretrainSteps: request.gating === 'predictor' ? 1 : 0, warmupSteps: 0, optimalTransport: request.optimalTransport, seed: request.seed,
  }), resolution: 256 });
  const model = { unet, weights, scheduler: request.scheduler, scalingFactor: request.scalingFactor };
  const setup = createPrune(model, memoryData(data.list, data.latent, data.text), config, { provider: 'cpu', intraOpThreads: 1 });
  let seen: StepObservation | undefined;
  const outcome = await setup.stepper.run(0, request.gating, setup.schedule.lr, setup.initial, (o) => { seen = o; });
  if (!seen) throw new Error('the step reported nothing');
  const g = request.batch;
  const l = setup.stepper.setup.router.layout.vectorLength;
  const d = seen.draws;
  const tensors: Record<string, HostTensor> = {
    ...setup.initial.params,
    indices: hostTensor('int64', [g], BigInt64Array.from(d.indices, BigInt)),
    'noise/predictor': hostTensor('float32', [d.predictorNoise.length / l, l], d.predictorNoise),
    ...(d.codeNoise ? { 'noise/codes': hostTensor('float32', [request.experts, l], d.codeNoise) } : {}),
    timesteps: hostTensor('int64', [g], BigInt64Array.from(d.timesteps, BigInt)),
    latent_eps: hostTensor('float32', [g, ...data.latent], d.latentEps),
    noise: hostTensor('float32', [g, ...data.latent], d.noise),
    gates: hostTensor('float32', [g, l], seen.gates),
    gate_grad: hostTensor('float32', [g, l], seen.gateGrad),
    ...Object.fromEntries(Object.entries(seen.router).filter(([k]) => k.startsWith('grad/') || k.startsWith('loss/') || k === 'rho')),
  };
  const out = join(dir, 'engine');
  mkdirSync(out, { recursive: true });
  const files: Record<string, string> = {};
  for (const [name, t] of Object.entries(tensors)) {
    files[name] = file(name);
    writeFileSync(join(out, files[name]), encodeNpy(t));
  }
  const spec = setup.stepper.setup.router;
  const arch = resolveUNet(unet);
  const macs = unetMacs(arch, { height: data.latent[1], width: data.latent[2] }, data.text[0]);
  const losses = setup.stepper.setup.losses;
  writeFileSync(join(out, 'case.json'), JSON.stringify({
    files, metrics: outcome.metrics, lr: setup.schedule.lr,
    term_weights: setup.stepper.setup.termWeights, snr: setup.stepper.setup.snr,
    structure: {
      kind: spec.kind, gating: request.gating, experts: spec.experts, temperature: spec.temperature, offset: spec.offset,
      optimal_transport: spec.optimalTransport, sinkhorn_epsilon: spec.sinkhornEpsilon, sinkhorn_iterations: spec.sinkhornIterations,
      resource_aware: false, depth_order: spec.depthOrder, target: losses.target, weights: losses.weights, temperatures: losses.temperatures,
      params: Object.keys(setup.initial.params),
      width_groups: spec.layout.widthGroups.map((x) => ({ id: x.id, kind: x.kind, offset: x.offset, width: x.width, unit: x.unit, macs_per_entry: macs.perEntry[x.id] })),
      depth_groups: spec.layout.depthGroups.map((x) => ({ id: x.id, offset: x.offset, unit: x.unit })),
      units: macs.units.map((u) => ({ unit: u.unit, fixed: u.fixed })),
      prunable_macs: macs.prunable, total_macs: macs.total,
    },
  }));
  await setup.stepper.dispose();
}

const argv = process.argv.slice(2);
const dir = argv[argv.indexOf('--dir') + 1];
if (!argv.includes('--dir') || !dir) throw new Error('usage: step-run.ts --dir <folder>');
await main(dir);
