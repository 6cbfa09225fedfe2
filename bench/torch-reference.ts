// PyTorch side of the benchmark: bench/torch_bench.py, started with the oracle venv's python
// (tests/oracle/.venv, made by `npm run test:oracle`), builds every case once and then times one
// case and mode per request, so run.ts can alternate ours and torch under the same machine load.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BenchCase } from './bench-case';

export type Mode = 'forward' | 'fwd_bwd';

export function venvPython(repoRoot: string): string {
  return process.platform === 'win32' ? join(repoRoot, 'tests', 'oracle', '.venv', 'Scripts', 'python.exe') : join(repoRoot, 'tests', 'oracle', '.venv', 'bin', 'python');
}

export class TorchReference {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
    readonly version: string,
  ) {}

  /** Starts the reference, or returns why it cannot run (the benchmark then prints ours only). */
  static async start(repoRoot: string, cases: readonly BenchCase[], threads: number): Promise<TorchReference | string> {
    const python = venvPython(repoRoot);
    if (!existsSync(python)) return 'no tests/oracle/.venv; run `npm run test:oracle` once to create it';
    const child = spawn(python, [join(repoRoot, 'bench', 'torch_bench.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    child.stdin.write(`${JSON.stringify({ threads, cases: cases.map((c) => ({ name: c.name, ...c.torch })) })}\n`);
    const first = await lines.next();
    if (first.done) return `torch_bench.py failed: ${stderr.trim().split('\n').pop() ?? 'no output'}`;
    return new TorchReference(child, lines, (JSON.parse(first.value) as { version: string }).version);
  }

  /** Per-iteration times of `iters` runs after `warmup` runs. */
  async time(name: string, mode: Mode, iters: number, warmup: number): Promise<number[]> {
    this.child.stdin.write(`${JSON.stringify({ case: name, mode, iters, warmup })}\n`);
    const reply = await this.lines.next();
    if (reply.done) throw new Error(`torch_bench.py exited while timing ${name} ${mode}`);
    return (JSON.parse(reply.value) as { times_ms: number[] }).times_ms;
  }

  stop(): void {
    this.child.stdin.end();
  }
}
