// A plain prompts file: one prompt per line, no images (for routing-only work). Blank lines are
// skipped; a line that is not UTF-8 is reported as such, and so is one too long to be a prompt.
// A file is read as prompts only when the user chose it as one: the prompts format named
// explicitly, or a .txt/.csv/.tsv file; either way its first bytes must be text. So an API caller
// cannot turn an arbitrary file (a key, /etc/passwd, a database) into a dataset whose lines the
// item pages would then return.
import { open } from 'node:fs/promises';
import { EngineError } from '../../core/errors';
import { countLines, readLines } from '../lines';
import type { DatasetSource, SourceEntry } from '../types';
import { extensionOf, overlongLine, rowCaption } from './common';

export const PROMPTS_EXTENSIONS = ['txt', 'csv', 'tsv'] as const;
const SNIFF_BYTES = 1 << 16;

/**
 * Why the first bytes of a file are not text, or undefined: a NUL byte, or more than a few in
 * twenty bytes that are invalid UTF-8 or control characters. (A few bad lines in a real prompts
 * file are reported per line on import, not here.)
 */
export function notTextReason(head: Uint8Array): string | undefined {
  if (head.includes(0)) return 'it contains NUL bytes (a binary file)';
  const text = new TextDecoder('utf-8').decode(head, { stream: true });
  let odd = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0xfffd || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c)) odd++;
  }
  return odd > 8 + head.length / 20 ? 'it is mostly not UTF-8 text (a binary file)' : undefined;
}

async function readHead(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(SNIFF_BYTES), 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Refuses a single file as a prompts dataset unless the user chose it as one (`explicit`: the
 * prompts format was named) or it is named .txt/.csv/.tsv; and unless its first 64 KiB are text.
 */
export async function checkPromptsFile(path: string, explicit: boolean): Promise<void> {
  if (!explicit && !(PROMPTS_EXTENSIONS as readonly string[]).includes(extensionOf(path))) {
    throw new EngineError(
      'invalid-argument',
      `${path} is not a dataset: a single file is read only as a prompts file (.${PROMPTS_EXTENSIONS.join(', .')}, or the prompts format chosen explicitly). Pick a dataset folder or a prompts file.`,
      { path },
    );
  }
  const reason = notTextReason(await readHead(path));
  if (reason) throw new EngineError('invalid-argument', `${path} cannot be a prompts file: ${reason}. Pick a text file with one prompt per line.`, { path });
}

export function promptsSource(file: string): DatasetSource {
  return {
    format: 'prompts',
    count: () => countLines(file),
    async *entries(): AsyncGenerator<SourceEntry> {
      for await (const l of readLines(file)) {
        if (l.text.trim() === '') continue;
        const { caption, problem } = l.cut ? { caption: { kind: 'none' } as const, problem: overlongLine(l) } : rowCaption(l.text, l.utf8);
        yield { key: `line:${l.line}`, caption, repeats: 1, ...(problem ? { problem } : {}) };
      }
    },
  };
}
