// The building kit of the SD components (UNet, CLIP text encoder, VAE): weights looked up by their
// diffusers/transformers state-dict key through a WeightProvider, and the layers written on
// GraphBuilder with those keys as initializer names (Linear weights stay [out, in] as torch saves
// them and run through Gemm transB, so a safetensors tensor plugs in unchanged).
import type { DType, TensorData } from '../../../core/dtype';
import { DTYPE_INFO, float32ToFloat16Bits } from '../../../core/dtype';
import { EngineError } from '../../../core/errors';
import { numel } from '../../../core/shape';
import type { GraphBuilder, TensorSource, Value } from '../../../ir';
import { Random } from '../../../train/random';

/** A parameter a component expects: its state-dict key and torch shape. */
export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/** Bytes (or where to find them) of one weight, in the dtype it is stored in. */
export interface WeightData {
  readonly dtype: DType;
  readonly data: TensorData | TensorSource;
}

/** Gives the weight for a key; throws (EngineError 'not-found') when it has none. */
export type WeightProvider = (spec: ParamSpec) => WeightData;

export type ComputeDType = 'float32' | 'float16';

/** Looks weights up by key while a component is built and records every spec it asked for. */
export class Params {
  readonly specs: ParamSpec[] = [];

  constructor(
    private readonly b: GraphBuilder,
    private readonly provider: WeightProvider,
    readonly dtype: ComputeDType,
  ) {}

  /** The weight `name` of `shape` as a value of the compute dtype (cast when stored otherwise). */
  get(name: string, shape: readonly number[]): Value {
    const spec = { name, shape: [...shape] };
    this.specs.push(spec);
    const w = this.provider(spec);
    const v = this.b.initializer(name, w.data, shape, w.dtype);
    return w.dtype === this.dtype ? v : this.b.cast(v, this.dtype);
  }
}

/** Seeded random weights for tests and benchmarks: each key gets its own stream (order-free). */
export function randomWeights(seed: number, dtype: ComputeDType = 'float32'): WeightProvider {
  return (spec) => {
    const rand = new Random(hashName(spec.name, seed));
    const n = numel(spec.shape);
    const isNorm = spec.shape.length === 1 && /norm|ln_|layer_norm/.test(spec.name) && spec.name.endsWith('.weight');
    const fanIn = spec.shape.length > 1 ? numel(spec.shape.slice(1)) : 0;
    const std = spec.shape.length === 1 ? 0.05 : 1 / Math.sqrt(Math.max(1, fanIn));
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = (isNorm ? 1 : 0) + std * rand.normal();
    if (dtype === 'float32') return { dtype, data: values };
    const half = new Uint16Array(n);
    for (let i = 0; i < n; i++) half[i] = float32ToFloat16Bits(values[i] ?? 0);
    return { dtype, data: half };
  };
}

/** A provider whose weights are never read: for listing specs and building shapes only. */
export function shapeOnlyWeights(dtype: ComputeDType = 'float32'): WeightProvider {
  return (spec) => ({
    dtype,
    data: {
      kind: 'lazy',
      byteLength: numel(spec.shape) * DTYPE_INFO[dtype].bytes,
      load: () => Promise.reject(new EngineError('invalid-argument', `Weight '${spec.name}' belongs to a shape-only graph and has no data; build with a real weight provider.`, { param: spec.name })),
    },
  });
}

function hashName(name: string, seed: number): number {
  let h = (2166136261 ^ seed) >>> 0;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h;
}

/** torch Linear over the last axis of x: weight [out, in] (Gemm transB), optional bias [out]. */
export function linear(b: GraphBuilder, p: Params, key: string, x: Value, inF: number, outF: number, bias = true): Value {
  const shape = x.type.shape;
  const w = p.get(`${key}.weight`, [outF, inF]);
  const c = bias ? p.get(`${key}.bias`, [outF]) : undefined;
  const rows = numel(shape) / inF;
  const flat = shape.length === 2 ? x : b.reshape(x, [rows, inF]);
  const y = b.gemm(flat, w, c, { transB: 1 });
  return shape.length === 2 ? y : b.reshape(y, [...shape.slice(0, -1), outF]);
}

/** torch Conv2d with bias: weight [out, in, k, k]. */
export function conv2d(b: GraphBuilder, p: Params, key: string, x: Value, inC: number, outC: number, k: number, options: { stride?: number; pad?: number } = {}): Value {
  const w = p.get(`${key}.weight`, [outC, inC, k, k]);
  const bias = p.get(`${key}.bias`, [outC]);
  const pad = options.pad ?? (k - 1) / 2;
  const stride = options.stride ?? 1;
  return b.conv(x, w, bias, { kernel_shape: [k, k], pads: [pad, pad, pad, pad], strides: [stride, stride] });
}

export function groupNorm(b: GraphBuilder, p: Params, key: string, x: Value, groups: number, eps: number): Value {
  const c = x.type.shape[1] ?? 0;
  return b.groupNorm(x, groups, p.get(`${key}.weight`, [c]), p.get(`${key}.bias`, [c]), eps);
}

export function layerNorm(b: GraphBuilder, p: Params, key: string, x: Value, eps: number): Value {
  const c = x.type.shape[x.type.shape.length - 1] ?? 0;
  return b.layerNorm(x, p.get(`${key}.weight`, [c]), p.get(`${key}.bias`, [c]), { epsilon: eps });
}

/**
 * Scaled dot-product attention of q [N, Sq, H*D] over k, v [N, Sk, H*D] with H heads. Scores and
 * softmax are always float32 (a float16 graph upcasts q and k, as SD 2.x needs to stay finite);
 * `mask` (float32 [Sq, Sk], e.g. causal) is added to the scores; `headGate` [N, H]
 * multiplies q, k and v per head (a masked head's output is exactly zero).
 */
export function attention(b: GraphBuilder, q: Value, k: Value, v: Value, heads: number, options: { mask?: Value; headGate?: Value } = {}): Value {
  const [n = 0, sq = 0, inner = 0] = q.type.shape;
  const d = inner / heads;
  const split = (t: Value, gate: Value | undefined): Value => {
    const s = t.type.shape[1] ?? 0;
    let h = b.reshape(t, [n, s, heads, d]);
    if (gate) h = b.mul(h, b.reshape(gate, [n, 1, heads, 1]));
    return b.transpose(h, [0, 2, 1, 3]);
  };
  const dtype = q.type.dtype;
  const upcast = (t: Value): Value => (dtype === 'float32' ? t : b.cast(t, 'float32'));
  const qh = upcast(split(q, options.headGate));
  const kt = upcast(b.transpose(split(k, options.headGate), [0, 1, 3, 2]));
  const vh = split(v, options.headGate);
  let scores = b.mul(b.matmul(qh, kt), 1 / Math.sqrt(d));
  if (options.mask) scores = b.add(scores, options.mask);
  const softmax = b.softmax(scores, -1);
  const probs = dtype === 'float32' ? softmax : b.cast(softmax, dtype);
  const merged = b.transpose(b.matmul(probs, vh), [0, 2, 1, 3]);
  return b.reshape(merged, [n, sq, inner]);
}

/** Checks a spatial size divides by 2^levels (the UNet and VAE halve it that many times). */
export function checkDivisible(what: string, size: number, levels: number): void {
  const f = 2 ** levels;
  if (!Number.isInteger(size) || size <= 0 || size % f !== 0) {
    throw new EngineError('invalid-argument', `${what} ${size} must be a positive multiple of ${f} (the model halves it ${levels} times); pick a size divisible by ${f}.`, { size, levels });
  }
}
