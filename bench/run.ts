// `npm run bench`: runs every bench/*.bench.ts block forward and forward+backward on onnxruntime
// (our emitted graphs, CPU provider) and the same block in PyTorch CPU (bench/torch_bench.py, same
// shapes and threads, in the same run), and prints `name: value` lines: times, ours/torch ratios,
// achieved GFLOP/s and the fraction of the machine's estimated peak. BENCH_THREADS overrides the
// thread count (default: all CPUs). No thresholds: this reports, it never fails on speed.
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { grad } from '../src/engine/autodiff';
import { GraphBuilder, eliminateDeadCode, type Graph } from '../src/engine/ir';
import { emitModel } from '../src/engine/onnx';
import { onnxruntimeVersion, openSession } from '../src/engine/runtime';
import type { BenchCase } from './bench-case';
import { machinePeak } from './machine-peak';
import { best, median, timesMs } from './timing';
import { TorchReference, type Mode } from './torch-reference';
import { line } from './report';

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(benchDir, '..');
const [ROUNDS, ITERS, WARMUP] = [4, 5, 2];

/** forward + loss mean(y^2) + gradients of every weight; outputs the loss and the gradients. */
export function trainingGraph(forward: Graph): Graph {
  const b = GraphBuilder.from(forward, `${forward.name}.fwd_bwd`);
  const y = forward.outputs.find((o) => o.name === 'y')?.value;
  if (!y) throw new Error(`bench graph ${forward.name} has no output 'y'`);
  b.output(b.reduceMean(b.mul(y, y), undefined, false), 'loss');
  const withGrads = grad(b.build(), { loss: 'loss', wrt: forward.initializers.map((i) => i.value.name) });
  return eliminateDeadCode({ ...withGrads, outputs: withGrads.outputs.filter((o) => o.name !== 'y') });
}

async function loadCases(): Promise<BenchCase[]> {
  const files = readdirSync(benchDir).filter((f) => f.endsWith('.bench.ts')).sort();
  const modules = await Promise.all(files.map((f) => import(pathToFileURL(join(benchDir, f)).href) as Promise<{ default: BenchCase }>));
  return modules.map((m) => m.default);
}

type Runner = () => Promise<unknown>;

async function ourRunners(c: BenchCase, threads: number): Promise<Record<Mode, Runner>> {
  const config = { provider: 'cpu' as const, intraOpThreads: threads, interOpThreads: 1 };
  const forward = c.build();
  const x = { x: c.input() };
  const fwd = await openSession({ bytes: emitModel(forward), name: forward.name }, config);
  const train = trainingGraph(forward);
  const bwd = await openSession({ bytes: emitModel(train), name: train.name }, config);
  return { forward: () => fwd.run(x), fwd_bwd: () => bwd.run(x) };
}

interface Measured { ours: number[]; torch: number[] }

/** Alternates ours and torch, ROUNDS times, on one case and mode. */
async function measure(c: BenchCase, mode: Mode, ours: Runner, torch: TorchReference | undefined): Promise<Measured> {
  const m: Measured = { ours: [], torch: [] };
  for (let r = 0; r < ROUNDS; r++) {
    m.ours.push(...(await timesMs(ours, ITERS, WARMUP)));
    if (torch) m.torch.push(...(await torch.time(c.name, mode, ITERS, WARMUP)));
  }
  return m;
}

function report(c: BenchCase, mode: Mode, m: Measured, peak: number): void {
  const flops = mode === 'forward' ? c.forwardFlops : 3 * c.forwardFlops;
  const ours = best(m.ours);
  line(`${c.name}.${mode}.ours_ms`, ours);
  line(`${c.name}.${mode}.ours_median_ms`, median(m.ours));
  if (m.torch.length) {
    const torch = best(m.torch);
    line(`${c.name}.${mode}.torch_ms`, torch);
    line(`${c.name}.${mode}.torch_median_ms`, median(m.torch));
    line(`${c.name}.${mode}.ratio_ours_over_torch`, ours / torch);
    line(`${c.name}.${mode}.torch_gflops`, flops / (torch * 1e6));
  }
  line(`${c.name}.${mode}.gflops`, flops / (ours * 1e6));
  line(`${c.name}.${mode}.peak_fraction`, flops / (ours * 1e6) / peak);
}

async function main(): Promise<void> {
  const threads = Number(process.env.BENCH_THREADS ?? cpus().length);
  const peak = machinePeak(threads);
  const cases = await loadCases();
  line('machine.threads', threads);
  line('machine.peak_gflops', peak.gflops);
  line('machine.peak_assumption', peak.assumption);
  line('timing', `best of ${ROUNDS} rounds x ${ITERS} runs, ours and torch alternating per round (medians also shown)`);
  line('flops.assumption', 'matmul/conv multiply-adds x2; forward+backward counted as 3x forward');
  line('onnxruntime.version', onnxruntimeVersion());
  const torch = await TorchReference.start(repoRoot, cases, threads);
  line('torch.version', typeof torch === 'string' ? `unavailable (${torch})` : torch.version);
  const ref = typeof torch === 'string' ? undefined : torch;
  try {
    for (const c of cases) {
      const ours = await ourRunners(c, threads);
      for (const mode of ['forward', 'fwd_bwd'] as const) report(c, mode, await measure(c, mode, ours[mode], ref), peak.gflops);
    }
  } finally {
    ref?.stop();
  }
}

main().catch((cause: unknown) => {
  console.error(`bench: ${cause instanceof Error ? cause.message : String(cause)}`);
  process.exit(1);
});
