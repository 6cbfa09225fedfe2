// Image folders (nested) with `.txt` / `.caption` sidecars, and kohya-style trees whose top-level
// folders are named `<repeats>_<name>`. Every file with an image extension is an item, including
// ones that cannot be read and ones in a folder whose repeat count is out of range (reported, never
// skipped or clamped silently).
import { walkFiles } from '../walk';
import type { DatasetSource, Problem, SourceEntry } from '../types';
import { isImageName, kohyaRepeats, sidecarCaption } from './common';

function repeatsFor(rel: string, kohya: boolean): { repeats: number; problem?: Problem } {
  if (!kohya || !rel.includes('/')) return { repeats: 1 };
  return kohyaRepeats(rel.split('/')[0] ?? '') ?? { repeats: 1 };
}

export function folderSource(root: string, kohya: boolean): DatasetSource {
  return {
    format: kohya ? 'kohya' : 'image-folder',
    async count(signal) {
      let n = 0;
      for await (const e of walkFiles(root, signal)) if (isImageName(e.rel)) n++;
      return n;
    },
    async *entries(signal): AsyncGenerator<SourceEntry> {
      for await (const e of walkFiles(root, signal)) {
        if (!isImageName(e.rel)) continue;
        const image = { path: e.path, rel: e.rel };
        const { repeats, problem: badRepeats } = repeatsFor(e.rel, kohya);
        if (e.kind === 'file') {
          yield { key: e.rel, image, caption: await sidecarCaption(e.path, e.rel), repeats, ...(badRepeats ? { problem: badRepeats } : {}) };
        } else {
          const problem: Problem = { code: 'unreadable', detail: e.reason };
          yield { key: e.rel, image, caption: { kind: 'none' }, repeats, problem };
        }
      }
    },
  };
}
