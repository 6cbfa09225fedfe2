// Files written whole or not at all: the bytes go to a temporary name beside the target (this
// process's pid in it) and are renamed into place, so a crash or a full disk never leaves a
// half-written file that looks valid. A failure removes the temporary and becomes an EngineError
// 'io-failure' whose message names the file and says what to check.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { EngineError } from './errors';

/** What the error says: the file in words ('the sample') and what the user should do. */
export interface AtomicWriteWording {
  readonly what?: string;
  readonly advice?: string;
}

function failure(path: string, cause: unknown, wording: AtomicWriteWording): EngineError {
  const what = wording.what ? `${wording.what} ` : '';
  const advice = wording.advice ?? 'Check the folder exists and is writable.';
  return new EngineError('io-failure', `Could not write ${what}${path}: ${cause instanceof Error ? cause.message : String(cause)}. ${advice}`, { file: path }, { cause });
}

export function writeFileAtomically(path: string, bytes: Uint8Array, wording: AtomicWriteWording = {}): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (cause) {
    rmSync(tmp, { force: true });
    throw failure(path, cause, wording);
  }
}

export async function writeFileAtomicallyAsync(path: string, bytes: Uint8Array, wording: AtomicWriteWording = {}): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (cause) {
    await rm(tmp, { force: true });
    throw failure(path, cause, wording);
  }
}
