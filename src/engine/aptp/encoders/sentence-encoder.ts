// A local sentence-transformers model as the prompt encoder: reads the folder (st-folder.ts),
// tokenizes with WordPiece, builds the encoder graph once per padded length (lengths rounded up to
// a multiple of 16, so a dataset needs few sessions; mean pooling and MPNet's relative bias make the
// result independent of the padding) and returns one embedding per caption. Its id (folder content
// hash) is what a run records.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../../core/errors';
import { GraphSessions } from '../../data/sd-encoders';
import type { WeightProvider } from '../../models/sd/unet/layers';
import { hostTensor, type SessionConfig } from '../../runtime';
import { openSafetensors, tensorSource, type SafetensorsFile } from '../../weights';
import { buildSentenceEncoder, SENTENCE_INPUTS, SENTENCE_OUTPUT } from './encoder-graph';
import { readSentenceFolder, type SentenceFolder } from './st-folder';
import { WordPieceTokenizer } from './wordpiece';

export interface SentenceEncoder {
  /** 'sentence-transformers:<family>:<sha256 prefix>' for the run record. */
  readonly id: string;
  readonly dim: number;
  readonly folder: SentenceFolder;
  /** Captions whose word pieces were cut at the maximum length. */
  readonly truncated: number;
  /** Embeddings [captions.length * dim], row-major. */
  encode(captions: readonly string[]): Promise<Float32Array>;
  dispose(): Promise<void>;
}

function weightProvider(file: SafetensorsFile): WeightProvider {
  return (spec) => {
    const key = spec.name;
    if (!file.tensors.has(key)) throw new EngineError('unsupported-model', `${file.path} has no weight '${key}'; the folder's weights do not match its config.json.`, { key });
    const t = tensorSource(file, key, 'float32');
    if (t.shape.join() !== spec.shape.join()) throw new EngineError('unsupported-model', `${file.path}: '${key}' is [${t.shape.join(', ')}] but config.json implies [${spec.shape.join(', ')}].`, { key });
    return { dtype: t.dtype, data: t.source };
  };
}

async function folderId(folder: SentenceFolder): Promise<string> {
  const hash = createHash('sha256');
  for (const name of ['modules.json', 'config.json']) hash.update(await readFile(join(folder.dir, name)).catch(() => Buffer.alloc(0)));
  for await (const chunk of createReadStream(folder.weightsFile, { highWaterMark: 1 << 22 })) hash.update(chunk as Buffer);
  return `sentence-transformers:${folder.config.family}:${hash.digest('hex').slice(0, 16)}`;
}

/** Opens a sentence-transformers folder as a prompt encoder (refused with a reason when unusable). */
export async function openSentenceEncoder(dir: string, options: { batch?: number; session?: SessionConfig } = {}): Promise<SentenceEncoder> {
  const folder = readSentenceFolder(dir);
  const file = await openSafetensors(folder.weightsFile);
  const prefix = [`${folder.config.family}.`, ''].find((p) => file.tensors.has(`${p}embeddings.word_embeddings.weight`));
  if (prefix === undefined) throw new EngineError('unsupported-model', `${folder.weightsFile} has no embeddings.word_embeddings.weight; it is not a ${folder.config.family} model's weights.`, { dir });
  const tokenizer = new WordPieceTokenizer(folder.tokenizer, folder.maxLength);
  const sessions = new GraphSessions(options.session ?? {});
  const batch = options.batch ?? 16;
  const weights = weightProvider(file);
  const id = await folderId(folder);
  let truncated = 0;
  const encodeBatch = async (captions: readonly string[]): Promise<Float32Array> => {
    const encoded = captions.map((c) => tokenizer.encode(folder.lowercaseInput ? c.toLowerCase() : c));
    truncated += encoded.filter((e) => e.truncated > 0).length;
    const longest = Math.max(...encoded.map((e) => e.ids.length));
    const length = Math.min(folder.maxLength, Math.ceil(longest / 16) * 16);
    const ids = new BigInt64Array(batch * length).fill(BigInt(folder.tokenizer.padId));
    const mask = new BigInt64Array(batch * length);
    encoded.forEach((e, i) => e.ids.forEach((t, j) => { ids[i * length + j] = BigInt(t); mask[i * length + j] = 1n; }));
    for (let i = encoded.length; i < batch; i++) mask[i * length] = 1n; // padding rows: one visible token keeps them finite
    const session = await sessions.get(`sentence_b${batch}_l${length}`, () => buildSentenceEncoder(folder.config, weights, { batch, length, pooling: folder.pooling, normalize: folder.normalize, prefix }).graph);
    const out = await session.run({ [SENTENCE_INPUTS.ids]: hostTensor('int64', [batch, length], ids), [SENTENCE_INPUTS.mask]: hostTensor('int64', [batch, length], mask) }, [SENTENCE_OUTPUT]);
    return (out[SENTENCE_OUTPUT]?.data as Float32Array).slice(0, captions.length * folder.config.hidden);
  };
  return {
    id, dim: folder.config.hidden, folder,
    get truncated() { return truncated; },
    async encode(captions) {
      const out = new Float32Array(captions.length * folder.config.hidden);
      for (let start = 0; start < captions.length; start += batch) out.set(await encodeBatch(captions.slice(start, start + batch)), start * folder.config.hidden);
      return out;
    },
    dispose: () => sessions.dispose(),
  };
}
