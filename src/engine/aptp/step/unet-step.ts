// The UNet side of one APTP pruning step, as one graph: the frozen UNet gated by the architecture
// vector (the student), the same UNet with every gate on (the teacher, inlined so it shares the
// initializers), the per-sample losses (min-SNR-weighted DDPM MSE, distillation to the teacher's
// output, block loss over the block outputs with the teacher as a constant) and, by autodiff,
// d(total)/d(arch_vector). Weights stay initializers; per micro-batch only the noisy latents, the
// timesteps, the text states, the targets, the per-sample min-SNR weights and the gates go in.
// The total is the SUM over the micro-batch of the weighted per-sample losses, so the gradients of
// every micro-batch of a global batch concatenate into the gradient of the global sum (divide by
// the global batch size for the mean).
import { gradients, type ConvInputGrad } from '../../autodiff';
import { EngineError } from '../../core/errors';
import { GraphBuilder, eliminateDeadCode, type Graph, type Value } from '../../ir';
import type { UNetConfig } from '../../models/sd/config/unet';
import { ARCH_VECTOR_INPUT } from '../../models/sd/structure/gates';
import { blockOutputName, buildUNet, UNET_INPUTS, UNET_OUTPUT, type ComputeDType, type UNetArch, type WeightProvider } from '../../models/sd/unet';
import type { GateLayout } from '../../models/sd/structure/gates';
import { blockLoss, ddpmLoss, distillationLoss } from '../losses';
import { inlineGraph } from './inline-graph';

/** Graph inputs of the step besides the UNet's own (sample, timestep, encoder_hidden_states, arch_vector). */
export const STEP_INPUTS = {
  target: 'target',
  /** Per-sample min-SNR weight of the DDPM term [N]. */
  snrWeight: 'snr_weight',
  /** Weights of [ddpm, distill, block] in the total [3]. */
  termWeights: 'term_weights',
} as const;

/** Per-sample loss outputs [N] and the gradient output [N, L]. */
export const STEP_OUTPUTS = {
  ddpm: 'loss/ddpm',
  distill: 'loss/distill',
  block: 'loss/block',
  total: 'loss/total',
  gradGates: `grad/${ARCH_VECTOR_INPUT}`,
} as const;

export interface UNetStepSpec {
  readonly config: UNetConfig;
  readonly weights: WeightProvider;
  readonly microBatch: number;
  /** Latent height and width. */
  readonly height: number;
  readonly width: number;
  readonly textLength?: number;
  readonly dtype?: ComputeDType;
  /** How the backward writes conv input gradients (autodiff ConvInputGrad); default 'flip'. */
  readonly convInputGrad?: ConvInputGrad;
}

export interface UNetStepGraph {
  readonly graph: Graph;
  readonly arch: UNetArch;
  readonly layout: GateLayout;
  /** Block output names compared by the block loss (4 down, mid, 4 up for SD). */
  readonly blocks: readonly string[];
}

export function buildUNetStep(spec: UNetStepSpec): UNetStepGraph {
  const common = { batch: spec.microBatch, height: spec.height, width: spec.width, textLength: spec.textLength ?? 77, dtype: spec.dtype ?? 'float32', weights: spec.weights, blockOutputs: true } as const;
  const student = buildUNet(spec.config, { ...common, gates: 'vector', name: 'aptp_unet_step' });
  const teacher = buildUNet(spec.config, { ...common, gates: 'none', name: 'teacher' });
  const blocks = student.arch.blocks.map((blk) => blockOutputName(blk.path));
  const b = GraphBuilder.from(student.graph);
  const input = (name: string): Value => b.valueByName(name) ?? missing('input', name);
  const t = inlineGraph(b, teacher.graph, { scope: 'teacher', inputs: { [UNET_INPUTS.sample]: input(UNET_INPUTS.sample), [UNET_INPUTS.timestep]: input(UNET_INPUTS.timestep), [UNET_INPUTS.context]: input(UNET_INPUTS.context) } });
  const out = (g: Graph, name: string): Value => g.outputs.find((o) => o.name === name)?.value ?? missing('output', name);
  const prediction = out(student.graph, UNET_OUTPUT);
  const dtype = prediction.type.dtype;
  const target = b.input(STEP_INPUTS.target, dtype, prediction.type.shape);
  const snrWeight = b.input(STEP_INPUTS.snrWeight, dtype, [spec.microBatch]);
  const termWeights = b.input(STEP_INPUTS.termWeights, dtype, [3]);
  const ddpm = ddpmLoss(b, prediction, target, snrWeight);
  const distill = distillationLoss(b, prediction, t[UNET_OUTPUT] as Value);
  const block = blockLoss(b, blocks.map((name) => out(student.graph, name)), blocks.map((name) => t[name] as Value));
  const terms = b.concat([ddpm, distill, block].map((v) => b.unsqueeze(v, [1])), 1);
  const total = b.reduceSum(b.mul(terms, termWeights), [1], false);
  b.output(ddpm, STEP_OUTPUTS.ddpm);
  b.output(distill, STEP_OUTPUTS.distill);
  b.output(block, STEP_OUTPUTS.block);
  b.output(total, STEP_OUTPUTS.total);
  const gates = b.valueByName(ARCH_VECTOR_INPUT) ?? missing('input', ARCH_VECTOR_INPUT);
  const [gradGates] = gradients(b, b.reduceSum(total, undefined, false), [gates], undefined, { convInputGrad: spec.convInputGrad ?? 'flip' });
  b.output(gradGates ?? missing('gradient', ARCH_VECTOR_INPUT), STEP_OUTPUTS.gradGates);
  const built = b.build();
  const keep = new Set<string>(Object.values(STEP_OUTPUTS));
  const graph = eliminateDeadCode({ ...built, outputs: built.outputs.filter((o) => keep.has(o.name)) });
  return { graph, arch: student.arch, layout: student.layout, blocks };
}

function missing(what: string, name: string): never {
  throw new EngineError('graph-invalid', `The UNet graph has no ${what} '${name}'; the pruning step and the UNet builder disagree (engine bug).`, { name });
}
