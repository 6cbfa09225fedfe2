// Reads and checks one caption, whatever its source: a sidecar file (refused unread when larger
// than the limit), raw bytes from a metadata row, or text already decoded. Captions must be UTF-8
// (checked strictly), non-empty after trimming, and within the size limit.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { CaptionSource, Problem, ValidationLimits } from './types';
import { describeFsError } from './walk';

export type CaptionCheck = { readonly caption: string; readonly problem?: undefined } | { readonly caption?: string; readonly problem: Problem };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes strictly; undefined when the bytes are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function checkText(text: string, limits: ValidationLimits): CaptionCheck {
  const caption = text.trim();
  if (caption.length === 0) return { problem: { code: 'empty-caption', detail: 'the caption is empty' } };
  const bytes = Buffer.byteLength(caption);
  if (bytes > limits.maxCaptionBytes) return { problem: { code: 'caption-too-long', detail: `${bytes} bytes is over the ${limits.maxCaptionBytes}-byte limit` } };
  return { caption };
}

function checkBytes(bytes: Uint8Array, limits: ValidationLimits): CaptionCheck {
  if (bytes.length > limits.maxCaptionBytes) {
    return { problem: { code: 'caption-too-long', detail: `${bytes.length} bytes is over the ${limits.maxCaptionBytes}-byte limit` } };
  }
  const text = decodeUtf8(bytes);
  if (text === undefined) return { problem: { code: 'caption-not-utf8', detail: 'the caption is not valid UTF-8; re-save it as UTF-8' } };
  return checkText(text, limits);
}

async function readCaptionFile(path: string, limits: ValidationLimits): Promise<CaptionCheck> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { problem: { code: 'missing-caption', detail: `caption file unreadable: ${describeFsError(error)}` } };
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return { problem: { code: 'missing-caption', detail: 'caption path is not a regular file' } };
    if (st.size > limits.maxCaptionBytes) {
      return { problem: { code: 'caption-too-long', detail: `${st.size} bytes is over the ${limits.maxCaptionBytes}-byte limit` } };
    }
    return checkBytes(await handle.readFile(), limits);
  } catch (error) {
    return { problem: { code: 'missing-caption', detail: `caption file unreadable: ${describeFsError(error)}` } };
  } finally {
    await handle.close();
  }
}

export async function checkCaption(source: CaptionSource, limits: ValidationLimits): Promise<CaptionCheck> {
  switch (source.kind) {
    case 'file':
      return readCaptionFile(source.path, limits);
    case 'bytes':
      return checkBytes(source.bytes, limits);
    case 'text':
      return checkText(source.text, limits);
    case 'none':
      return { problem: { code: 'missing-caption', detail: 'no caption found for this image' } };
  }
}
