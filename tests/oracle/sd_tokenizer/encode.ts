// Oracle bridge: encodes every prompt of a JSON list with the engine's CLIP tokenizer loaded from a
// tokenizer folder, and prints the padded id lists and their decoded text as JSON (compared with
// transformers by pytest).
import { readFileSync } from 'node:fs';
import { loadClipTokenizer } from '../../../src/engine/models/sd/tokenizer';

const [dir, corpusFile] = process.argv.slice(2);
if (!dir || !corpusFile) throw new Error('usage: encode.ts <tokenizer-dir> <corpus.json>');
const tokenizer = loadClipTokenizer(dir);
const corpus = JSON.parse(readFileSync(corpusFile, 'utf8')) as string[];
process.stdout.write(JSON.stringify(corpus.map((text) => {
  const { ids } = tokenizer.encode(text);
  return { ids, text: tokenizer.decode(ids) };
})));
