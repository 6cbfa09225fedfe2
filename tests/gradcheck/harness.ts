// Gradcheck harness: builds loss = sum(op(inputs) * r) for a fixed random r, differentiates it with
// the engine's autodiff, runs forward+backward on onnxruntime's CPU provider and compares every
// (sampled) input-gradient element with a fourth-order central difference of the forward graph.
// Runs in float64 when the CPU provider has float64 kernels for every op of the graph; otherwise the
// op runs in float32 between Casts (inputs and loss stay float64) and a looser tolerance applies.
import { grad } from '../../src/engine/autodiff/grad';
import type { GradOptions } from '../../src/engine/autodiff/types';
import { EngineError } from '../../src/engine/core/errors';
import type { DType } from '../../src/engine/core/dtype';
import { GraphBuilder } from '../../src/engine/ir/builder';
import type { Value } from '../../src/engine/ir/graph';
import { emitModel } from '../../src/engine/onnx/model';
import { loadSession, type RuntimeSession } from '../../src/engine/runtime/session';
import { hostTensor } from '../../src/engine/runtime/tensor';
import { Rng } from './rng';

export type InputKind = 'normal' | 'positive' | 'away' | 'spaced' | 'unit';
export interface FloatInput { readonly name: string; readonly shape: readonly number[]; readonly kind?: InputKind }
export interface IntInput { readonly name: string; readonly shape: readonly number[]; readonly ints: readonly number[] }
export type InputSpec = FloatInput | IntInput;

export interface GradCase {
  readonly op: string;
  readonly name: string;
  readonly inputs: readonly InputSpec[];
  /** Builds the op(s) under test from the inputs (float inputs arrive in the case's dtype). */
  readonly build: (b: GraphBuilder, xs: Value[]) => Value | Value[];
  /** Float inputs to differentiate (default: all). */
  readonly wrt?: readonly string[];
  /** Skip the float64 attempt (ops whose float64 kernel is known to be missing). */
  readonly float32?: boolean;
  /** How autodiff writes the gradients (default: the engine's defaults). */
  readonly gradOptions?: GradOptions;
}

export interface CaseResult {
  readonly op: string;
  readonly name: string;
  readonly dtype: 'float64' | 'float32';
  readonly maxErr: number;
  readonly ok: boolean;
  readonly error?: string;
}

export const TOLERANCE = { float64: 1e-7, float32: 2e-3 } as const;
/** Fourth-order central differences (error O(h^4)) allow steps large enough to drown float noise. */
const STEP = { float64: 1e-3, float32: 1e-2 } as const;
const MAX_CHECKED = 48;
/** One thread (the machine is shared) and no fusions: the graph checked is the graph autodiff wrote. */
const OPTIONS = { intraOpThreads: 1, interOpThreads: 1, optimization: 'basic' } as const;

const isInt = (s: InputSpec): s is IntInput => 'ints' in s;

function floatData(spec: FloatInput, rng: Rng, index: number): Float64Array {
  const n = spec.shape.reduce((p, d) => p * d, 1);
  const out = new Float64Array(n);
  const spacedOrder = rng.permutation(n);
  for (let i = 0; i < n; i++) {
    const kind = spec.kind ?? 'normal';
    if (kind === 'positive') out[i] = 0.5 + rng.uniform() * 1.5;
    else if (kind === 'unit') out[i] = rng.uniform() * 1.6 - 0.8;
    else if (kind === 'away') out[i] = (0.2 + rng.uniform()) * (rng.uniform() < 0.5 ? -1 : 1);
    else if (kind === 'spaced') out[i] = ((spacedOrder[i] ?? 0) - Math.floor(n / 2)) * 0.1 + index * 0.05 + rng.uniform() * 0.01;
    else out[i] = rng.normal();
  }
  return out;
}

interface Built { fwd: Uint8Array; bwd: Uint8Array; wrt: string[] }

function buildGraphs(c: GradCase, dtype: DType, rng: Rng): Built {
  const b = new GraphBuilder(`gradcheck_${c.op}`);
  const xs = c.inputs.map((s) => {
    if (isInt(s)) return b.constant('int64', s.shape, s.ints);
    const x = b.input(s.name, 'float64', s.shape);
    return dtype === 'float64' ? x : b.cast(x, dtype);
  });
  const ys = [c.build(b, xs)].flat();
  const terms = ys.map((y) => {
    const r = b.constant('float64', y.type.shape, Float64Array.from({ length: y.type.shape.reduce((p, d) => p * d, 1) }, () => rng.normal()));
    return b.reduceSum(b.mul(b.cast(y, 'float64'), r), undefined, false);
  });
  b.output(terms.reduce((a, t) => b.add(a, t)), 'loss');
  const forward = b.build();
  const wrt = [...(c.wrt ?? c.inputs.filter((s) => !isInt(s)).map((s) => s.name))];
  return { fwd: emitModel(forward), bwd: emitModel(grad(forward, { loss: 'loss', wrt, ...(c.gradOptions ? { options: c.gradOptions } : {}) })), wrt };
}

const isMissingKernel = (e: unknown): boolean => e instanceof EngineError && /NOT_IMPLEMENTED|Could not find an implementation|Failed to find kernel/i.test(String(e.details.ortMessage ?? e.message));

async function sessions(c: GradCase, seed: number): Promise<{ dtype: 'float64' | 'float32'; fwd: RuntimeSession; bwd: RuntimeSession; wrt: string[] }> {
  for (const dtype of c.float32 ? (['float32'] as const) : (['float64', 'float32'] as const)) {
    const built = buildGraphs(c, dtype, new Rng(seed));
    try {
      const fwd = await loadSession({ bytes: built.fwd, name: `${c.op} ${c.name} (forward)` }, 'cpu', OPTIONS);
      const bwd = await loadSession({ bytes: built.bwd, name: `${c.op} ${c.name} (backward)` }, 'cpu', OPTIONS);
      return { dtype, fwd, bwd, wrt: built.wrt };
    } catch (e) {
      if (dtype === 'float32' || !isMissingKernel(e)) throw e;
    }
  }
  throw new Error('unreachable');
}

/** Runs one case: analytic gradient vs central differences; never throws. */
export async function checkCase(c: GradCase, seed = 1): Promise<CaseResult> {
  let dtype: 'float64' | 'float32' = c.float32 ? 'float32' : 'float64';
  try {
    const s = await sessions(c, seed);
    dtype = s.dtype;
    const rng = new Rng(seed + 1000);
    const floats = c.inputs.filter((x): x is FloatInput => !isInt(x));
    const data = new Map(floats.map((spec, i) => [spec.name, floatData(spec, rng, i)]));
    const feeds = () => Object.fromEntries(floats.map((spec) => [spec.name, hostTensor('float64', spec.shape, data.get(spec.name) ?? new Float64Array())]));
    const analytic = await s.bwd.run(feeds(), s.wrt.map((w) => `grad/${w}`));
    const lossAt = async (): Promise<number> => Number((await s.fwd.run(feeds())).loss?.data[0]);
    let maxErr = 0;
    for (const name of s.wrt) {
      const x = data.get(name) ?? new Float64Array();
      const ga = analytic[`grad/${name}`]?.data as Float64Array;
      const picks = x.length <= MAX_CHECKED ? [...Array(x.length).keys()] : rng.permutation(x.length).slice(0, MAX_CHECKED);
      const numeric: number[] = [];
      for (const i of picks) {
        const h = STEP[dtype] * Math.max(1, Math.abs(x[i] ?? 0));
        const keep = x[i] ?? 0;
        const at = async (k: number): Promise<number> => { x[i] = keep + k * h; return lossAt(); };
        const [p2, p1, m1, m2] = [await at(2), await at(1), await at(-1), await at(-2)];
        x[i] = keep;
        numeric.push((-p2 + 8 * p1 - 8 * m1 + m2) / (12 * h));
      }
      const scale = Math.max(1e-3, ...numeric.map(Math.abs), ...picks.map((i) => Math.abs(ga[i] ?? 0)));
      picks.forEach((i, k) => { maxErr = Math.max(maxErr, Math.abs((ga[i] ?? Number.NaN) - (numeric[k] ?? 0)) / scale); });
      if (Number.isNaN(maxErr) || picks.some((i) => !Number.isFinite(ga[i] ?? Number.NaN))) maxErr = Number.POSITIVE_INFINITY;
    }
    await s.fwd.dispose();
    await s.bwd.dispose();
    return { op: c.op, name: c.name, dtype, maxErr, ok: maxErr <= TOLERANCE[dtype] };
  } catch (e) {
    return { op: c.op, name: c.name, dtype, maxErr: Number.POSITIVE_INFINITY, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
