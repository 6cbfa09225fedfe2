// A plain prompts file: one prompt per line, no images (for routing-only work). Blank lines are
// skipped; a line that is not UTF-8 is reported as such.
import { countLines, readLines } from '../lines';
import type { DatasetSource, SourceEntry } from '../types';
import { rowCaption } from './common';

export function promptsSource(file: string): DatasetSource {
  return {
    format: 'prompts',
    count: () => countLines(file),
    async *entries(): AsyncGenerator<SourceEntry> {
      for await (const l of readLines(file)) {
        if (l.text.trim() === '') continue;
        const { caption, problem } = rowCaption(l.text, l.utf8);
        yield { key: `line:${l.line}`, caption, repeats: 1, ...(problem ? { problem } : {}) };
      }
    },
  };
}
