// Writes a world dataset as a Hugging Face imagefolder the importer reads: images/NNNNNN.png and
// metadata.jsonl rows {file_name, text, prompt, difficulty, kind, scene} (the scene is the ground
// truth), plus world.json (seed, size, mix, version). Everything is built in a temporary sibling
// folder that is renamed into place at the end, so a stopped run never leaves a dataset that looks
// complete. Same seed and size give the same bytes.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { EngineError } from '../core/errors';
import { throwIfCancelled, type JobContext } from '../jobs/job';
import { DEFAULT_MIX, worldItem, type DifficultyMix } from './items';
import { IMAGE_SIZE } from './vocabulary';

export const WORLD_VERSION = 1;
export const MIN_ITEMS = 100;
export const MAX_ITEMS = 100_000;

export interface WorldDatasetOptions {
  readonly size: number;
  readonly seed: number;
  readonly mix?: DifficultyMix;
}

export interface WorldDatasetResult {
  readonly dir: string;
  readonly items: number;
  readonly counts: Readonly<Record<string, number>>;
}

function checkTarget(dir: string, size: number, seed: number): void {
  if (!Number.isInteger(size) || size < MIN_ITEMS || size > MAX_ITEMS) {
    throw new EngineError('invalid-argument', `A world dataset has ${MIN_ITEMS} to ${MAX_ITEMS} items (got ${size}); pass --size in that range.`, { size });
  }
  if (!Number.isInteger(seed) || seed < 0) throw new EngineError('invalid-argument', `The world seed must be a non-negative integer (got ${seed}).`, { seed });
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new EngineError('invalid-argument', `${dir} is not empty; choose a new or empty folder for the world dataset.`, { dir });
  }
  if (!existsSync(dirname(dir))) throw new EngineError('not-found', `${dirname(dir)} does not exist; create it first or choose another place.`, { dir });
}

export function pngBytes(rgb: Uint8Array): Promise<Buffer> {
  return sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 3 } }).png({ compressionLevel: 9 }).toBuffer();
}

/** Writes `options.size` items of world `options.seed` to `target` (a new or empty folder). */
export async function writeWorldDataset(target: string, options: WorldDatasetOptions, ctx: JobContext): Promise<WorldDatasetResult> {
  const dir = resolve(target);
  checkTarget(dir, options.size, options.seed);
  const tmp = join(dirname(dir), `.${basename(dir)}.partial-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'images'), { recursive: true });
  const counts: Record<string, number> = {};
  const rows: string[] = [];
  try {
    for (let i = 0; i < options.size; i++) {
      if (i % 64 === 0) throwIfCancelled(ctx.signal);
      const item = worldItem(options.seed, i, { mix: options.mix ?? DEFAULT_MIX });
      const file = `images/${String(i).padStart(6, '0')}.png`;
      writeFileSync(join(tmp, file), await pngBytes(item.rgb));
      const { difficulty, kind } = item.scene;
      counts[difficulty] = (counts[difficulty] ?? 0) + 1;
      rows.push(JSON.stringify({ file_name: file, text: item.caption, prompt: item.prompt, difficulty, kind, scene: item.scene }));
      if (i % 50 === 49 || i === options.size - 1) ctx.progress({ done: i + 1, total: options.size, detail: `${i + 1} scenes` });
    }
    writeFileSync(join(tmp, 'metadata.jsonl'), `${rows.join('\n')}\n`);
    writeFileSync(join(tmp, 'world.json'), `${JSON.stringify({ version: WORLD_VERSION, seed: options.seed, size: options.size, mix: options.mix ?? DEFAULT_MIX, counts }, null, 2)}\n`);
    if (existsSync(dir)) rmSync(dir, { recursive: true });
    renameSync(tmp, dir);
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  return { dir, items: options.size, counts };
}
