// Test helper: emits a graph with the ONNX emitter and runs it on onnxruntime's CPU provider through
// the engine runtime, returning each output as plain numbers with its dims.
import type { DType, TensorData } from '../../../src/engine/core/dtype';
import { tensorDataToNumbers } from '../../../src/engine/core/dtype';
import type { Graph } from '../../../src/engine/ir/graph';
import { emitModel } from '../../../src/engine/onnx/model';
import type { EmitOptions } from '../../../src/engine/onnx/model';
import { hostTensor, loadSession } from '../../../src/engine/runtime/index';
import type { HostTensor, RuntimeDataMap } from '../../../src/engine/runtime/index';

export interface RunResult {
  readonly dims: readonly number[];
  readonly values: number[];
}

export function feed<D extends DType>(dtype: D, dims: readonly number[], data: TensorData): HostTensor {
  return hostTensor(dtype, dims, data as RuntimeDataMap[D]);
}

export async function runGraph(graph: Graph, feeds: Record<string, HostTensor> = {}, options: EmitOptions = {}): Promise<Record<string, RunResult>> {
  const session = await loadSession({ bytes: emitModel(graph, options), name: graph.name }, 'cpu');
  try {
    const out = await session.run(feeds);
    const result: Record<string, RunResult> = {};
    for (const [name, t] of Object.entries(out)) result[name] = { dims: t.dims, values: tensorDataToNumbers(t.dtype, t.data) };
    return result;
  } finally {
    await session.dispose();
  }
}

/** Deterministic pseudo-random floats in [-1, 1) (a small LCG; tests stay reproducible). */
export function randomFloats(n: number, seed = 1): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

export function expectClose(actual: readonly number[], expected: readonly number[], tol = 1e-5): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  actual.forEach((a, i) => {
    const e = expected[i] ?? Number.NaN;
    if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) throw new Error(`element ${i}: got ${a}, expected ${e} (tol ${tol})`);
  });
}
