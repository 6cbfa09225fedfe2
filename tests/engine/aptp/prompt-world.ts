// Test helper: a small world of prompts with clear clusters, and a tiny diffusers folder whose text
// encoder can read them (a character vocabulary, seeded random weights), imported as a prompts
// dataset and prepared into a real workspace, so projection and routing tests work on real pooled
// CLIP embeddings from the engine's own encoder graph.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importDataset } from '../../../src/engine/data/import-dataset';
import { prepareDataset } from '../../../src/engine/data/prepare-dataset';
import { openSdEncoders } from '../../../src/engine/data/sd-encoders';
import type { JobContext } from '../../../src/engine/jobs/job';
import type { Workspace } from '../../../src/engine/store/workspace';
import { TINY_CLIP, writeTinyFolder } from '../models/sd/loader/tiny-folder';

/** Four topics of fifteen words; a prompt draws its words from one topic. */
export const TOPICS = [
  ['fox', 'wolf', 'bear', 'deer', 'owl', 'hare', 'lynx', 'moose', 'otter', 'badger', 'elk', 'hawk', 'boar', 'mole', 'crow'],
  ['car', 'truck', 'bus', 'tram', 'train', 'bike', 'van', 'taxi', 'jeep', 'lorry', 'scooter', 'coach', 'cab', 'wagon', 'kart'],
  ['cake', 'bread', 'soup', 'pie', 'rice', 'salad', 'steak', 'pasta', 'curry', 'toast', 'waffle', 'bagel', 'taco', 'sushi', 'stew'],
  ['castle', 'tower', 'bridge', 'church', 'temple', 'palace', 'barn', 'mill', 'hut', 'villa', 'fort', 'abbey', 'manor', 'cabin', 'lodge'],
] as const;

/** mulberry32, for reproducible prompts and weights. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `perTopic` prompts of 5 words from each topic, in topic order (prompt i has topic floor(i / perTopic)). */
export function clusteredPrompts(perTopic: number, seed = 1): string[] {
  const r = rng(seed);
  const out: string[] = [];
  for (const words of TOPICS) {
    for (let i = 0; i < perTopic; i++) out.push(Array.from({ length: 5 }, () => words[Math.floor(r() * words.length)]!).join(' '));
  }
  return out;
}

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
}

/** The tiny folder with a character vocabulary (a-z, end-of-text the highest id, as in CLIP) and random text weights. */
export async function writeWordModel(dir: string): Promise<string> {
  const r = rng(7);
  await writeTinyFolder(dir, {
    edit: (component, list) => component !== 'text_encoder' ? list : list.map((t) => {
      const isNorm = /norm/.test(t.name);
      const data = (t.data as Float32Array).map(() => (isNorm && t.name.endsWith('.weight') ? 1 : t.name.endsWith('.bias') ? 0 : 0.4 * gaussian(r)));
      return { ...t, data };
    }),
  });
  const vocab: Record<string, number> = { '!': 0 };
  for (const c of 'abcdefghijklmnopqrstuvwxyz') {
    vocab[c] = Object.keys(vocab).length;
    vocab[`${c}</w>`] = Object.keys(vocab).length;
  }
  vocab['<|startoftext|>'] = 62;
  vocab['<|endoftext|>'] = 63;
  writeFileSync(join(dir, 'tokenizer', 'vocab.json'), JSON.stringify(vocab));
  // Pooling reads the state at eos_token_id (transformers' rule); the config must name this vocabulary's.
  writeFileSync(join(dir, 'text_encoder', 'config.json'), JSON.stringify({ ...TINY_CLIP, bos_token_id: 62, eos_token_id: 63, pad_token_id: 63 }));
  return dir;
}

export const quietJob = (): JobContext => ({ signal: new AbortController().signal, progress: () => {} });

/** Imports the prompts file of `dir` (again) and prepares its prompt embeddings with `modelDir`'s text encoder. */
async function importAndPrepare(ws: Workspace, file: string, modelDir: string): Promise<{ datasetId: string; encoder: string }> {
  const { datasetId } = await importDataset(ws, { path: file }, {}, quietJob());
  const encoders = await openSdEncoders(modelDir, { captionBatch: 16, session: { provider: 'cpu' } });
  try {
    await prepareDataset(ws, datasetId, { spec: { resolution: 64, crop: 'center', flip: false, seed: 0 }, captionEncoders: [encoders.caption] }, quietJob());
    return { datasetId, encoder: encoders.caption.outputs['prompt-embedding'] };
  } finally {
    await encoders.dispose();
  }
}

/** Writes `prompts` to dir/prompts.txt, imports it as a prompts dataset and prepares its prompt embeddings. */
export function preparedPrompts(ws: Workspace, dir: string, prompts: readonly string[], modelDir: string): Promise<{ datasetId: string; encoder: string }> {
  writeFileSync(join(dir, 'prompts.txt'), `${prompts.join('\n')}\n`);
  return importAndPrepare(ws, join(dir, 'prompts.txt'), modelDir);
}

/** Appends prompts to dir/prompts.txt, re-imports and prepares (only the new ones are encoded). */
export function appendPrompts(ws: Workspace, dir: string, prompts: readonly string[], modelDir: string): Promise<{ datasetId: string; encoder: string }> {
  appendFileSync(join(dir, 'prompts.txt'), `${prompts.join('\n')}\n`);
  return importAndPrepare(ws, join(dir, 'prompts.txt'), modelDir);
}
