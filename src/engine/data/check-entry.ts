// Validates one source entry into a manifest row: stamps the image and caption files, re-uses the
// previous row when nothing changed (mtime+size, then content hash), and otherwise checks the
// image and the caption and keeps the first problem by precedence (see PROBLEMS).
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { clipTokenLowerBound } from '../models/sd/tokenizer';
import type { ItemStamps, ItemWrite } from '../store/repositories/datasets';
import { checkCaption } from './caption';
import { checkImage, hashFile, type ImageCheck } from './image-check';
import { PROBLEMS, type CaptionSource, type Problem, type SourceEntry, type ValidationLimits } from './types';
import { describeFsError } from './walk';

export interface EntryStamps {
  readonly image?: { readonly mtimeMs: number; readonly bytes: number };
  readonly imageError?: Problem;
  readonly caption: string;
}

export type EntryOutcome =
  | { readonly kind: 'unchanged'; readonly id: number; readonly mtimeMs?: number; readonly bytes?: number }
  | { readonly kind: 'checked'; readonly item: ItemWrite; readonly thumbnail?: Buffer };

const ORDER = Object.keys(PROBLEMS);
const CAPTION_PROBLEMS = new Set<string>(['missing-caption', 'empty-caption', 'caption-not-utf8', 'caption-too-long']);

export function firstProblem(...problems: (Problem | undefined)[]): Problem | undefined {
  return problems.filter((p): p is Problem => p !== undefined).sort((a, b) => ORDER.indexOf(a.code) - ORDER.indexOf(b.code))[0];
}

async function captionStamp(source: CaptionSource): Promise<string> {
  switch (source.kind) {
    case 'file': {
      const st = await stat(source.path).catch(() => undefined);
      return st ? `file:${source.rel}:${st.mtimeMs}:${st.size}` : `file:${source.rel}:gone`;
    }
    case 'text':
    case 'bytes':
      return `text:${createHash('sha256').update(source.kind === 'text' ? source.text : source.bytes).digest('hex').slice(0, 32)}`;
    case 'none':
      return 'none';
  }
}

export async function stampEntry(entry: SourceEntry): Promise<EntryStamps> {
  const caption = `${await captionStamp(entry.caption)}|${entry.repeats}|${entry.problem?.code ?? ''}`;
  if (!entry.image) return { caption };
  try {
    const st = await stat(entry.image.path);
    return { caption, image: { mtimeMs: st.mtimeMs, bytes: st.size } };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing-image' : 'unreadable';
    return { caption, imageError: { code, detail: describeFsError(error) } };
  }
}

/** Unchanged since `prior`: same caption stamp and the same image (by stamps, else by hash). */
async function unchanged(entry: SourceEntry, stamps: EntryStamps, prior: ItemStamps | undefined, limits: ValidationLimits): Promise<EntryOutcome | undefined> {
  if (!prior || prior.captionStamp !== stamps.caption || prior.imagePath !== (entry.image?.rel ?? null)) return undefined;
  if (!entry.image) return { kind: 'unchanged', id: prior.id };
  if (!stamps.image) return undefined;
  if (prior.imageMtimeMs === stamps.image.mtimeMs && prior.imageBytes === stamps.image.bytes) return { kind: 'unchanged', id: prior.id };
  if (!prior.contentHash) return undefined;
  const hash = await hashFile(entry.image.path, limits.maxFileBytes);
  return hash === prior.contentHash ? { kind: 'unchanged', id: prior.id, mtimeMs: stamps.image.mtimeMs, bytes: stamps.image.bytes } : undefined;
}

/** Checks an image, re-using the last few results for the same file (COCO: five captions per image). */
export class ImageChecker {
  readonly #recent = new Map<string, Promise<ImageCheck>>();

  constructor(private readonly limits: ValidationLimits) {}

  check(path: string, stamp: string): Promise<ImageCheck> {
    const key = `${path}\0${stamp}`;
    const hit = this.#recent.get(key);
    if (hit) return hit;
    const result = checkImage(path, this.limits);
    this.#recent.set(key, result);
    if (this.#recent.size > 8) this.#recent.delete(this.#recent.keys().next().value!);
    return result;
  }
}

export async function checkEntry(entry: SourceEntry, prior: ItemStamps | undefined, limits: ValidationLimits, images: ImageChecker): Promise<EntryOutcome> {
  const stamps = await stampEntry(entry);
  const same = await unchanged(entry, stamps, prior, limits);
  if (same) return same;
  const blocked = stamps.imageError ?? (entry.problem && ['unreadable', 'missing-image'].includes(entry.problem.code) ? entry.problem : undefined);
  const image: ImageCheck = entry.image && !blocked ? await images.check(entry.image.path, `${stamps.image?.mtimeMs}:${stamps.image?.bytes}`) : {};
  const caption: { caption?: string; problem?: Problem } =
    entry.problem && CAPTION_PROBLEMS.has(entry.problem.code) ? { problem: entry.problem } : await checkCaption(entry.caption, limits);
  const problem = firstProblem(blocked, entry.problem, image.problem, caption.problem);
  const status = !problem ? 'ok' : PROBLEMS[problem.code].severity;
  const item: ItemWrite = {
    key: entry.key,
    imagePath: entry.image?.rel ?? null,
    imageMtimeMs: stamps.image?.mtimeMs ?? null,
    imageBytes: stamps.image?.bytes ?? null,
    captionPath: entry.caption.kind === 'file' ? entry.caption.rel : null,
    captionStamp: stamps.caption,
    contentHash: image.contentHash ?? null,
    caption: caption.caption ?? null,
    repeats: entry.repeats,
    imageFormat: image.format ?? null,
    width: image.width ?? null,
    height: image.height ?? null,
    status,
    problem: problem?.code ?? null,
    problemDetail: problem?.detail ?? null,
    captionTokens: caption.caption === undefined ? null : clipTokenLowerBound(caption.caption),
  };
  return { kind: 'checked', item, ...(image.thumbnail ? { thumbnail: image.thumbnail } : {}) };
}
