// COCO captions: an annotations JSON (`annotations[].image_id/caption` joined with
// `images[].id/file_name`), with images beside it or in a folder of the dataset. One item per
// (image, caption) pair, keyed by annotation id. The JSON is parsed whole: COCO files are tens of
// megabytes, and the join needs the image table anyway.
import { existsSync } from 'node:fs';
import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../../core/errors';
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

interface CocoFile { images: { id: number; file_name: string }[]; annotations: { id?: number; image_id: number; caption?: unknown }[] }

async function loadCoco(path: string): Promise<CocoFile> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new EngineError('corrupt-file', `The COCO annotations file ${path} is not valid JSON (${(error as Error).message}). Check the file, or choose another format.`, { file: path });
  }
  const p = parsed as Partial<CocoFile>;
  if (!Array.isArray(p.images) || !Array.isArray(p.annotations)) {
    throw new EngineError('corrupt-file', `${path} has no 'images' and 'annotations' arrays, so it is not COCO captions. Choose another format.`, { file: path });
  }
  return p as CocoFile;
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
    async count() {
      return (await loadCoco(await file())).annotations.length;
    },
    async *entries(): AsyncGenerator<SourceEntry> {
      const coco = await loadCoco(await file());
      const names = new Map(coco.images.map((i) => [i.id, i.file_name]));
      const dirs = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
      const base = imageBase(root, coco.images[0]?.file_name, dirs);
      const sorted = [...coco.annotations].sort((a, b) => a.image_id - b.image_id);
      for (const [i, a] of sorted.entries()) {
        const key = `annotation:${a.id ?? i}`;
        const name = names.get(a.image_id);
        const image = name === undefined ? undefined : insideRoot(root, base, name);
        const caption = typeof a.caption === 'string' ? ({ kind: 'text', text: a.caption } as const) : ({ kind: 'none' } as const);
        if (!image) {
          yield { key, caption, repeats: 1, problem: { code: 'missing-image', detail: `image_id ${a.image_id} has no usable entry in 'images'` } };
        } else yield { key, image, caption, repeats: 1 };
      }
    },
  };
}
