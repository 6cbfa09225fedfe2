// One writer per checkpoint folder. A training that writes a folder holds `.lock` in it, created
// exclusively with its pid and host; a second writer is refused with who holds it. A lock whose
// process is gone (killed, crashed) on this host is taken over, so a killed build resumes by
// running the same command again. Readers (a snapshot of the checkpoints) take no lock.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { EngineError } from '../core/errors';
import { processExists } from '../core/process-exists';

export const LOCK_FILE = '.lock';

interface LockRecord { readonly pid: number; readonly host: string; readonly since: string }

function readLock(path: string): LockRecord | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockRecord;
  } catch {
    return undefined; // gone, or half-written by a writer that died between create and write
  }
}

/** Takes the folder's lock for this process; returns the function that releases it. */
export function lockFolder(dir: string, what: string): () => void {
  const path = join(dir, LOCK_FILE);
  const mine: LockRecord = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(mine), { flag: 'wx' });
      return () => {
        if (readLock(path)?.pid === process.pid) rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new EngineError('io-failure', `Cannot lock '${dir}' for ${what}: ${String(error)}. Check the folder is writable.`, { dir }, { cause: error });
      }
    }
    const held = readLock(path);
    const alive = held !== undefined && (held.host !== mine.host || processExists(held.pid));
    if (alive) {
      throw new EngineError('busy', `Another ${what} (process ${held.pid} on ${held.host}, since ${held.since}) is writing '${dir}'. Wait for it to finish or stop it; if that process is gone from another machine, delete '${path}'.`, { dir, pid: held.pid, host: held.host });
    }
    rmSync(path, { force: true }); // its writer is gone: take it over
  }
  throw new EngineError('busy', `Could not take the lock '${path}' for ${what}: another process keeps taking it. Try again.`, { dir });
}
