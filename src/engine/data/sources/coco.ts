// COCO captions: an annotations JSON (`annotations[].image_id/caption` joined with
// `images[].id/file_name`), with images beside it or in a folder of the dataset. One item per
// (image, caption) pair, keyed by annotation id, in file order. The file is streamed twice (one
// element parsed at a time): first for the image table (id -> file name, which the join needs) and
// the annotation count, then for the annotations, which are never all held in memory.
import { existsSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../../core/errors';
import { streamArrays } from '../json-arrays';
import type { DatasetSource, SourceEntry } from '../types';
import { insideRoot } from './common';

const PEEK_BYTES = 1 << 16;

async function peek(path: string): Promise<string> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(PEEK_BYTES), 0, PEEK_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } catch {
    return '';
  } finally {
    await handle.close();
  }
}

/** A root-level (or annotations/) JSON file that looks like COCO captions. */
export async function findCocoAnnotations(root: string): Promise<string | undefined> {
  for (const dir of [root, join(root, 'annotations')]) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      const path = join(dir, name);
      const head = await peek(path);
      if (head.includes('"images"') || head.includes('"annotations"')) return path;
    }
  }
  return undefined;
}

interface CocoImage { id: number; file_name: string }
interface CocoAnnotation { id?: number; image_id: number; caption?: unknown }

function notCoco(path: string): EngineError {
  return new EngineError('corrupt-file', `${path} has no 'images' and 'annotations' arrays, so it is not COCO captions. Choose another format.`, { file: path });
}

/** Pass one: the image table and how many annotations there are. */
async function readImages(path: string, signal: AbortSignal): Promise<{ names: Map<number, string>; first: string | undefined; annotations: number }> {
  const names = new Map<number, string>();
  let first: string | undefined;
  let annotations = 0;
  const seen = new Set<string>();
  for await (const e of streamArrays(path, ['images', 'annotations'], seen, { signal })) {
    if (e.key === 'annotations') annotations++;
    else {
      const image = e.value as Partial<CocoImage> | null;
      if (image && typeof image.id === 'number' && typeof image.file_name === 'string') {
        names.set(image.id, image.file_name);
        first ??= image.file_name;
      }
    }
  }
  if (!seen.has('images') || !seen.has('annotations')) throw notCoco(path);
  return { names, first, annotations };
}

/** The folder the image file names are relative to: the root, or the first folder that has the first image. */
function imageBase(root: string, first: string | undefined, dirs: readonly string[]): string {
  if (!first || existsSync(join(root, first))) return root;
  return dirs.map((d) => join(root, d)).find((d) => existsSync(join(d, first))) ?? root;
}

export function cocoSource(root: string, annotationsFile: string | undefined): DatasetSource {
  const file = async (): Promise<string> => {
    const found = annotationsFile ?? (await findCocoAnnotations(root));
    if (!found) throw new EngineError('not-found', `No COCO captions JSON in ${root}. Pass the annotations file, or choose another format.`, { dir: root });
    return found;
  };
  return {
    format: 'coco',
    async count(signal) {
      return (await readImages(await file(), signal)).annotations;
    },
    async *entries(signal): AsyncGenerator<SourceEntry> {
      const path = await file();
      const { names, first } = await readImages(path, signal);
      const dirs = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
      const base = imageBase(root, first, dirs);
      for await (const e of streamArrays(path, ['annotations'], new Set(), { signal })) {
        const a = (e.value ?? {}) as Partial<CocoAnnotation>;
        const key = `annotation:${typeof a.id === 'number' || typeof a.id === 'string' ? a.id : e.index}`;
        const name = typeof a.image_id === 'number' ? names.get(a.image_id) : undefined;
        const image = name === undefined ? undefined : insideRoot(root, base, name);
        const caption = typeof a.caption === 'string' ? ({ kind: 'text', text: a.caption } as const) : ({ kind: 'none' } as const);
        if (!image) {
          yield { key, caption, repeats: 1, problem: { code: 'missing-image', detail: `image_id ${String(a.image_id)} has no usable entry in 'images'` } };
        } else yield { key, image, caption, repeats: 1 };
      }
    },
  };
}
