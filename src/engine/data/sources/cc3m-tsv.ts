// CC3M-style TSV (caption TAB url, no header) with the downloaded images in folders under the
// dataset. Row n (0-based) matches the image named by img2dataset's key (`%09d`, any extension, in
// any subfolder) or else by the URL's file name. Only the image names are indexed in memory (one
// entry per downloaded image); the rows themselves are streamed.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../../core/errors';
import { countLines, readLines } from '../lines';
import { walkFiles } from '../walk';
import type { DatasetSource, SourceEntry } from '../types';
import { isImageName, overlongLine, rowCaption, stemOf } from './common';

export async function findTsv(root: string): Promise<string | undefined> {
  const names = (await readdir(root)).filter((n) => n.endsWith('.tsv')).sort();
  return names[0] && join(root, names[0]);
}

async function indexImages(root: string, signal: AbortSignal): Promise<Map<string, { path: string; rel: string }>> {
  const byStem = new Map<string, { path: string; rel: string }>();
  for await (const e of walkFiles(root, signal)) {
    if (e.kind !== 'file' || !isImageName(e.rel)) continue;
    const stem = stemOf(e.rel.slice(e.rel.lastIndexOf('/') + 1));
    if (!byStem.has(stem)) byStem.set(stem, { path: e.path, rel: e.rel });
  }
  return byStem;
}

function urlStem(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const name = new URL(url).pathname.split('/').pop();
    return name ? stemOf(decodeURIComponent(name)) : undefined;
  } catch {
    return undefined;
  }
}

export function cc3mTsvSource(root: string, tsvFile: string | undefined): DatasetSource {
  const file = async (): Promise<string> => {
    const found = tsvFile ?? (await findTsv(root));
    if (!found) throw new EngineError('not-found', `No .tsv file in ${root}. Pass the TSV file, or choose another format.`, { dir: root });
    return found;
  };
  return {
    format: 'cc3m-tsv',
    count: async () => countLines(await file()),
    async *entries(signal): AsyncGenerator<SourceEntry> {
      const images = await indexImages(root, signal);
      for await (const l of readLines(await file())) {
        if (l.text.trim() === '') continue;
        const [text, url] = l.text.split('\t');
        const key = `row:${l.line}`;
        const { caption, problem } = l.cut ? { caption: { kind: 'none' } as const, problem: overlongLine(l) } : rowCaption(text, l.utf8);
        const image = images.get(String(l.line - 1).padStart(9, '0')) ?? images.get(urlStem(url) ?? '\0');
        if (!image) {
          yield { key, caption, repeats: 1, problem: { code: 'missing-image', detail: `no downloaded image for row ${l.line} (${url ?? 'no url'})` } };
        } else yield { key, image, caption, repeats: 1, ...(problem ? { problem } : {}) };
      }
    },
  };
}
