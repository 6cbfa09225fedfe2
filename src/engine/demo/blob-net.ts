// The demo's network: conv(1->8, stride 2) GroupNorm SiLU, conv(8->16, stride 2) GroupNorm SiLU,
// flatten, linear(256->4), softmax cross-entropy. Parameters come from a callback, so the
// same code builds the training graph (parameters as inputs) and the exported model (initializers).
import { GraphBuilder, type Graph, type Value } from '../ir';
import type { HostTensor } from '../runtime';
import { filled, uniformFanIn, type Random } from '../train';
import { IMAGE_SIZE, QUADRANTS } from './blob-task';

type Param = (name: string, shape: readonly number[]) => Value;


/** Channels x 4 x 4 after two stride-2 convolutions of a 16x16 image, flattened (keeps position). */
const FEATURES = 16 * (IMAGE_SIZE / 4) ** 2;

/** Each parameter's shape and how it starts: uniform(+-1/sqrt(fanIn)), or a constant (GroupNorm). */
const PARAMS: Readonly<Record<string, { shape: readonly number[]; fanIn?: number; fill?: number }>> = {
  c1_w: { shape: [8, 1, 3, 3], fanIn: 9 }, c1_b: { shape: [8], fanIn: 9 },
  gn1_w: { shape: [8], fill: 1 }, gn1_b: { shape: [8], fill: 0 },
  c2_w: { shape: [16, 8, 3, 3], fanIn: 72 }, c2_b: { shape: [16], fanIn: 72 },
  gn2_w: { shape: [16], fill: 1 }, gn2_b: { shape: [16], fill: 0 },
  fc_w: { shape: [FEATURES, QUADRANTS], fanIn: FEATURES }, fc_b: { shape: [QUADRANTS], fanIn: FEATURES },
};

function param(p: Param, name: string): Value {
  const spec = PARAMS[name];
  if (!spec) throw new Error(`blob-net has no parameter '${name}'`);
  return p(name, spec.shape);
}

function logitsOf(b: GraphBuilder, images: Value, p: Param): Value {
  const conv = { pads: [1, 1, 1, 1], strides: [2, 2] };
  let h = b.conv(images, param(p, 'c1_w'), param(p, 'c1_b'), conv);
  h = b.silu(b.groupNorm(h, 4, param(p, 'gn1_w'), param(p, 'gn1_b')));
  h = b.conv(h, param(p, 'c2_w'), param(p, 'c2_b'), conv);
  h = b.silu(b.groupNorm(h, 4, param(p, 'gn2_w'), param(p, 'gn2_b')));
  const flat = b.reshape(h, [images.type.shape[0] ?? 1, FEATURES]);
  return b.linear(flat, param(p, 'fc_w'), param(p, 'fc_b'));
}

/** Training graph: inputs images, onehot and every parameter; outputs loss and logits. */
export function trainingNet(batch: number): Graph {
  const b = new GraphBuilder('blob_net_train');
  const images = b.input('images', 'float32', [batch, 1, IMAGE_SIZE, IMAGE_SIZE]);
  const onehot = b.input('onehot', 'float32', [batch, QUADRANTS]);
  const logits = logitsOf(b, images, (name, shape) => b.input(name, 'float32', shape));
  const nll = b.neg(b.reduceSum(b.mul(onehot, b.logSoftmax(logits, -1)), [1], false));
  b.output(b.reduceMean(nll, undefined, false), 'loss');
  b.output(logits, 'logits');
  return b.build();
}

/** Inference graph with trained parameters baked in as initializers: images -> logits. */
export function exportedNet(batch: number, params: Readonly<Record<string, HostTensor>>): Graph {
  const b = new GraphBuilder('blob_net');
  const images = b.input('images', 'float32', [batch, 1, IMAGE_SIZE, IMAGE_SIZE]);
  const logits = logitsOf(b, images, (name, shape) => {
    const t = params[name];
    if (!t || !(t.data instanceof Float32Array)) throw new Error(`blob-net parameter '${name}' is missing or not float32`);
    return b.initializer(name, t.data, shape);
  });
  b.output(logits, 'logits');
  return b.build();
}

export function initialParams(rand: Random): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  for (const [name, { shape, fanIn, fill }] of Object.entries(PARAMS)) {
    out[name] = fanIn === undefined ? filled('float32', shape, fill ?? 0) : uniformFanIn(rand, 'float32', shape, fanIn);
  }
  return out;
}
