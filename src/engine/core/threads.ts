// How many threads compute uses: APTP_THREADS when set (validated), else every logical CPU.
import { availableParallelism } from 'node:os';
import { EngineError } from './errors';

export function defaultIntraOpThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.APTP_THREADS;
  if (raw === undefined || raw === '') return availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1024) {
    throw new EngineError('invalid-argument', `APTP_THREADS must be a whole number from 1 to 1024, got '${raw}'. Unset it to use every CPU.`, { APTP_THREADS: raw });
  }
  return n;
}
