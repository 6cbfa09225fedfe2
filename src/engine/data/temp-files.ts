// Temporary files of the workspace caches: every cache file is written as `<name>.<pid>.<random>.tmp`
// and renamed into place, so a killed run leaves at most a few `.tmp` files and never a half-written
// entry. The next run removes the ones whose writer is gone (its pid is no longer alive, or the
// name has no pid); a live run's temporaries are left alone, whichever process it is.
import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

const TEMP = /\.(\d+)\.[0-9a-f]+\.tmp$/;

/** A temporary name beside `path`, owned by this process. */
export function tempPathFor(path: string): string {
  return `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True for a `.tmp` file no running process is writing. */
export function isLeftoverTemp(name: string): boolean {
  if (!name.endsWith('.tmp')) return false;
  const match = TEMP.exec(name);
  return !match || !alive(Number(match[1]));
}

/** Removes leftover temporaries under `dir` (nested); returns how many. A missing folder has none. */
export async function removeLeftoverTemps(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  let removed = 0;
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) removed += await removeLeftoverTemps(path);
    else if (e.isFile() && isLeftoverTemp(e.name)) {
      await rm(path, { force: true });
      removed++;
    }
  }
  return removed;
}
