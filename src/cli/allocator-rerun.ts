// A command that runs large graphs in-process (`allocatorEnv` on CliCommand: `aptp prune`) restarts itself once with the engine's allocator
// settings (engine/runs/allocator-env.ts) when the shell did not set them: glibc reads them only at
// process start, and without them the SD 2.1 step in lean mode peaked 1.5 GB higher. The first
// process only waits: it passes SIGINT and SIGTERM on (a terminal's Ctrl-C reaches both processes;
// the command takes a repeated SIGINT as one) and exits with the second one's code.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { missingAllocatorEnv, withAllocatorEnv } from '../engine/runs/allocator-env';

/** The exit code of the restarted command, or undefined when this process already has the settings (or is not on Linux). */
export async function rerunWithAllocatorEnv(): Promise<number | undefined> {
  if (missingAllocatorEnv().length === 0) return undefined;
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: withAllocatorEnv(process.env) });
  const pass = (signal: NodeJS.Signals) => (): void => {
    child.kill(signal);
  };
  const onInt = pass('SIGINT');
  const onTerm = pass('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 1)));
    });
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
