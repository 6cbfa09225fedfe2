// Streams the files under a folder (nested), in sorted order, following symlinks but never looping:
// each directory is entered once by its real path. Only the names of the directories being walked
// are held (one listing per level), never the files' contents. An entry
// that cannot be examined (permission, symlink loop, dangling link) is yielded with its error so
// the caller can report it; the walk itself never stops on one bad entry.
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { throwIfCancelled } from '../jobs/job';

export type WalkEntry =
  | { readonly kind: 'file'; readonly path: string; readonly rel: string; readonly size: number; readonly mtimeMs: number }
  | { readonly kind: 'special'; readonly path: string; readonly rel: string; readonly reason: string }
  | { readonly kind: 'error'; readonly path: string; readonly rel: string; readonly reason: string };

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'symbolic link loop';
    case 'ENOENT':
      return 'it does not exist';
    case 'EISDIR':
      return 'is a directory';
    default:
      return (error as Error).message;
  }
}

interface Frame { readonly path: string; readonly rel: string }

async function* walkDir(frame: Frame, visited: Set<string>, signal: AbortSignal): AsyncGenerator<WalkEntry | Frame> {
  let names: string[];
  try {
    names = (await readdir(frame.path)).sort();
  } catch (error) {
    yield { kind: 'error', path: frame.path, rel: frame.rel, reason: describeFsError(error) };
    return;
  }
  for (const name of names) {
    throwIfCancelled(signal);
    if (name.startsWith('.')) continue;
    const path = join(frame.path, name);
    const rel = frame.rel ? `${frame.rel}/${name}` : name;
    let st;
    try {
      st = await stat(path);
    } catch (error) {
      // Listed a moment ago, so a missing target is a dangling link (or a file removed meanwhile).
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'dangling link or file vanished' : describeFsError(error);
      yield { kind: 'error', path, rel, reason };
      continue;
    }
    if (st.isDirectory()) {
      const real = await realpath(path).catch(() => path);
      if (visited.has(real)) continue;
      visited.add(real);
      yield { path, rel };
    } else if (st.isFile()) {
      yield { kind: 'file', path, rel, size: st.size, mtimeMs: st.mtimeMs };
    } else {
      yield { kind: 'special', path, rel, reason: 'not a regular file (device, pipe or socket)' };
    }
  }
}

/** Every file under `root` (depth first, a folder's files before its subfolders), with stamps for re-import. */
export async function* walkFiles(root: string, signal: AbortSignal): AsyncGenerator<WalkEntry> {
  const visited = new Set<string>([await realpath(root)]);
  const pending: Frame[] = [{ path: root, rel: '' }];
  while (pending.length > 0) {
    const frame = pending.pop()!;
    const subfolders: Frame[] = [];
    for await (const entry of walkDir(frame, visited, signal)) {
      if ('kind' in entry) yield entry;
      else subfolders.push(entry);
    }
    pending.push(...subfolders.reverse());
  }
}
