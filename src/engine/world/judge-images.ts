// Judging image folders: reads every image (resized to 64x64 RGB if needed) of a folder, with the
// scene of each from metadata.jsonl when it has one (world datasets and world benchmarks write it),
// and returns the judge's readings, the prompt fidelity per category where scenes are known, and the
// features for a Fréchet distance. Offline stand-ins for CLIP score and FID, not those metrics.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { EngineError } from '../core/errors';
import { fidelity, matchesPrompt, type FidelityReport } from './fidelity';
import type { Judge } from './judge';
import type { Reading } from './judge-labels';
import type { Scene } from './scene';
import { IMAGE_SIZE } from './vocabulary';

export interface JudgedImage {
  readonly file: string;
  readonly reading: Reading;
  readonly scene: Scene | null;
  /** Whether the image shows what its scene's prompt asks for (null without a scene). */
  readonly correct: boolean | null;
}

export interface JudgedFolder {
  readonly images: readonly JudgedImage[];
  readonly features: readonly Float32Array[];
  readonly fidelity: FidelityReport | null;
}

const IMAGE = /\.(png|jpe?g|webp)$/i;

function listImages(dir: string): { file: string; scene: Scene | null }[] {
  if (!existsSync(dir)) throw new EngineError('not-found', `${dir} does not exist; give a folder of images (a world dataset or generated images).`, { dir });
  const meta = join(dir, 'metadata.jsonl');
  if (existsSync(meta)) {
    return readFileSync(meta, 'utf8').split('\n').filter((l) => l.trim()).map((line, i) => {
      const row = JSON.parse(line) as { file_name?: unknown; scene?: Scene };
      if (typeof row.file_name !== 'string') throw new EngineError('corrupt-file', `${meta}, line ${i + 1}: no file_name; each row needs the image's file_name.`, { file: meta, line: i + 1 });
      return { file: row.file_name, scene: row.scene ?? null };
    });
  }
  const files = readdirSync(dir).filter((f) => IMAGE.test(f)).sort();
  if (files.length === 0) throw new EngineError('not-found', `${dir} has no .png/.jpg/.webp images and no metadata.jsonl; choose a folder of images.`, { dir });
  return files.map((file) => ({ file, scene: null }));
}

async function rgb64(path: string): Promise<Uint8Array> {
  const { data } = await sharp(path).removeAlpha().resize(IMAGE_SIZE, IMAGE_SIZE, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export async function judgeFolder(judge: Judge, dir: string): Promise<JudgedFolder> {
  const list = listImages(dir);
  const pixels = await Promise.all(list.map((e) => rgb64(join(dir, e.file))));
  const { readings, features } = await judge.read(pixels);
  const images = list.map((e, i): JudgedImage => ({ ...e, reading: readings[i] as Reading, correct: e.scene ? matchesPrompt(e.scene, readings[i] as Reading) : null }));
  const withScenes = images.filter((i) => i.scene);
  return { images, features, fidelity: withScenes.length ? fidelity(withScenes.map((i) => i.scene as Scene), withScenes.map((i) => i.reading)) : null };
}
