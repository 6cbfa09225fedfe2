// Reads an onnxruntime profile (SessionConfig.profileFilePrefix: Chrome trace JSON) and sums the
// kernel time of one run by op type, so a bench can say where a step's time goes and how much of it
// is matrix-multiply kernels (Conv, Gemm, MatMul: compute-bound, as fast as the BLAS under them)
// against everything else (elementwise, normalisation, layout ops: what fused kernels would save).
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The op types whose kernels are matrix multiplies (onnxruntime's NCHWc convs keep the type 'Conv'). */
export const MATMUL_OPS: readonly string[] = ['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'FusedMatMul', 'FusedGemm', 'FusedConv'];

export interface RunProfile {
  /** Wall time of the run (the profile's model_run event), ms. */
  readonly runMs: number;
  /** Sum of its kernels' times, ms (the rest of runMs is the executor's own work and waiting). */
  readonly kernelMs: number;
  /** Kernel ms per op type, largest first. */
  readonly byOp: readonly (readonly [string, number])[];
  /** Share of runMs spent in MATMUL_OPS kernels. */
  readonly matmulShare: number;
}

interface TraceEvent { readonly cat?: string; readonly name?: string; readonly ts?: number; readonly dur?: number; readonly args?: { readonly op_name?: string } }

/** The profile file onnxruntime wrote for `prefix` (it appends `_<date>.json`); the newest if several. */
export function profileFile(prefix: string): string {
  const dir = dirname(prefix);
  const stem = `${basename(prefix)}_`;
  const found = readdirSync(dir).filter((n) => n.startsWith(stem) && n.endsWith('.json')).sort();
  const last = found[found.length - 1];
  if (last === undefined) throw new Error(`no onnxruntime profile '${stem}*.json' in ${dir}: was the session disposed?`);
  return join(dir, last);
}

/** The kernel times of run `which` (default the last; 0 is the first) in a profile. */
export function runProfile(file: string, which = -1): RunProfile {
  const events = JSON.parse(readFileSync(file, 'utf8')) as TraceEvent[];
  const runs = events.filter((e) => e.name === 'model_run');
  const run = runs.at(which);
  if (run?.ts === undefined || run.dur === undefined) throw new Error(`${file} has no run ${which} (${runs.length} runs)`);
  const start = run.ts;
  const end = run.ts + run.dur;
  const byOp = new Map<string, number>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || e.ts === undefined || e.ts < start || e.ts > end) continue;
    const op = e.args?.op_name ?? '?';
    byOp.set(op, (byOp.get(op) ?? 0) + (e.dur ?? 0) / 1000);
  }
  const kernelMs = [...byOp.values()].reduce((a, b) => a + b, 0);
  const matmulMs = MATMUL_OPS.reduce((a, op) => a + (byOp.get(op) ?? 0), 0);
  const runMs = run.dur / 1000;
  return { runMs, kernelMs, byOp: [...byOp].sort((a, b) => b[1] - a[1]), matmulShare: matmulMs / runMs };
}
