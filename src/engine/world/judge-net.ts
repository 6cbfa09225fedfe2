// The judge's network: four stride-2 3x3 convolutions (16, 32, 64, 64 channels, GroupNorm, SiLU) take
// a 64x64 image in [-1, 1] to 64x4x4, then a 128-wide feature layer (the penultimate features the
// world's Fréchet distance uses) and one linear layer to the logits [shapes | colours | count | text].
// Loss: binary cross-entropy (with logits) on presence, cross-entropy on count and text.
import { GraphBuilder, type Graph, type Value } from '../ir';
import type { HostTensor } from '../runtime';
import { filled, uniformFanIn, type Random } from '../train';
import { HEADS, LOGITS, OFFSETS } from './judge-labels';
import { IMAGE_SIZE } from './vocabulary';

export const FEATURES = 128;
const CHANNELS = [3, 16, 32, 64, 64] as const;
const FLAT = 64 * 4 * 4;

type Param = (name: string, shape: readonly number[]) => Value;

function paramShapes(): Record<string, { shape: number[]; fanIn?: number; fill?: number }> {
  const out: Record<string, { shape: number[]; fanIn?: number; fill?: number }> = {};
  for (let i = 0; i < 4; i++) {
    const [cin, cout] = [CHANNELS[i] as number, CHANNELS[i + 1] as number];
    out[`conv${i}.weight`] = { shape: [cout, cin, 3, 3], fanIn: cin * 9 };
    out[`conv${i}.bias`] = { shape: [cout], fanIn: cin * 9 };
    out[`norm${i}.weight`] = { shape: [cout], fill: 1 };
    out[`norm${i}.bias`] = { shape: [cout], fill: 0 };
  }
  out['features.weight'] = { shape: [FLAT, FEATURES], fanIn: FLAT };
  out['features.bias'] = { shape: [FEATURES], fanIn: FLAT };
  out['head.weight'] = { shape: [FEATURES, LOGITS], fanIn: FEATURES };
  out['head.bias'] = { shape: [LOGITS], fanIn: FEATURES };
  return out;
}

export const JUDGE_PARAMS = paramShapes();

function forward(b: GraphBuilder, images: Value, p: Param): { features: Value; logits: Value } {
  const n = images.type.shape[0] ?? 1;
  let h = images;
  for (let i = 0; i < 4; i++) {
    const spec = JUDGE_PARAMS[`conv${i}.weight`]!;
    h = b.conv(h, p(`conv${i}.weight`, spec.shape), p(`conv${i}.bias`, [spec.shape[0]!]), { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] });
    h = b.silu(b.groupNorm(h, 8, p(`norm${i}.weight`, [spec.shape[0]!]), p(`norm${i}.bias`, [spec.shape[0]!])));
  }
  const features = b.silu(b.linear(b.reshape(h, [n, FLAT]), p('features.weight', [FLAT, FEATURES]), p('features.bias', [FEATURES])));
  return { features, logits: b.linear(features, p('head.weight', [FEATURES, LOGITS]), p('head.bias', [LOGITS])) };
}

function crossEntropy(b: GraphBuilder, logits: Value, onehot: Value): Value {
  return b.reduceMean(b.neg(b.reduceSum(b.mul(onehot, b.logSoftmax(logits, -1)), [1], false)), undefined, false);
}

/** Training graph: images [N,3,64,64], presence [N,13], count_onehot [N,7], text_onehot [N,17] -> loss, logits. */
export function judgeTrainingGraph(batch: number): Graph {
  const b = new GraphBuilder('world_judge_train');
  const images = b.input('images', 'float32', [batch, 3, IMAGE_SIZE, IMAGE_SIZE]);
  const presence = b.input('presence', 'float32', [batch, HEADS.shape + HEADS.colour]);
  const count = b.input('count_onehot', 'float32', [batch, HEADS.count]);
  const text = b.input('text_onehot', 'float32', [batch, HEADS.text]);
  const { logits } = forward(b, images, (name, shape) => b.input(name, 'float32', shape));
  const z = b.slice(logits, [OFFSETS.shape], [OFFSETS.count], [1]);
  const bce = b.reduceMean(b.add(b.sub(b.relu(z), b.mul(presence, z)), b.log(b.add(b.exp(b.neg(b.abs(z))), 1))), undefined, false);
  const ce = b.add(crossEntropy(b, b.slice(logits, [OFFSETS.count], [OFFSETS.text], [1]), count), crossEntropy(b, b.slice(logits, [OFFSETS.text], [LOGITS], [1]), text));
  b.output(b.add(b.mul(bce, HEADS.shape + HEADS.colour), ce), 'loss');
  b.output(logits, 'logits');
  return b.build();
}

/** Inference graph with the trained weights as initializers: images -> logits, features. */
export function judgeGraph(batch: number, params: Readonly<Record<string, HostTensor>>): Graph {
  const b = new GraphBuilder('world_judge');
  const images = b.input('images', 'float32', [batch, 3, IMAGE_SIZE, IMAGE_SIZE]);
  const out = forward(b, images, (name, shape) => b.initializer(name, params[name]?.data as Float32Array, shape));
  b.output(out.logits, 'logits');
  b.output(out.features, 'features');
  return b.build();
}

export function initialJudgeParams(rand: Random): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  for (const [name, { shape, fanIn, fill }] of Object.entries(JUDGE_PARAMS)) out[name] = fanIn === undefined ? filled('float32', shape, fill ?? 0) : uniformFanIn(rand, 'float32', shape, fanIn);
  return out;
}
