// Oracle bridge for the sentence-transformers prompt encoder, TypeScript side: opens each folder
// the Python side saved (<dir>/<name>/model), tokenizes and encodes <dir>/captions.json with the
// engine, and writes token ids (one JSON list per caption) and the embeddings (.npy) beside it.
// A folder the engine refuses writes its error instead, so pytest can check refusals too.
//   tsx tests/oracle/aptp/encode-sentences.ts --dir tests/oracle/cache/aptp_encoders
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSentenceEncoder, WordPieceTokenizer } from '../../../src/engine/aptp/encoders';
import { hostTensor } from '../../../src/engine/runtime';
import { encodeNpy } from '../ts/npy';

async function main(argv: readonly string[]): Promise<void> {
  const dir = argv[argv.indexOf('--dir') + 1];
  if (!argv.includes('--dir') || !dir) throw new Error('usage: encode-sentences.ts --dir <dir>');
  const captions = JSON.parse(readFileSync(join(dir, 'captions.json'), 'utf8')) as string[];
  const names = JSON.parse(readFileSync(join(dir, 'models.json'), 'utf8')) as string[];
  for (const name of names) {
    const out = join(dir, name);
    try {
      const encoder = await openSentenceEncoder(join(out, 'model'), { batch: 4 });
      const tokenizer = new WordPieceTokenizer(encoder.folder.tokenizer, encoder.folder.maxLength);
      const ids = captions.map((c) => tokenizer.encode(encoder.folder.lowercaseInput ? c.toLowerCase() : c).ids);
      const embeddings = await encoder.encode(captions);
      await encoder.dispose();
      writeFileSync(join(out, 'engine.json'), JSON.stringify({ id: encoder.id, ids, truncated: encoder.truncated }));
      writeFileSync(join(out, 'engine.npy'), encodeNpy(hostTensor('float32', [captions.length, encoder.dim], embeddings)));
    } catch (cause) {
      writeFileSync(join(out, 'engine.json'), JSON.stringify({ error: cause instanceof Error ? cause.message : String(cause) }));
    }
  }
}

await main(process.argv.slice(2));
