// The built-in world as shipped: where resources/world is (found from the source tree or a built
// bundle by walking up from this file), whether a trained model is there (model_index.json beside
// judge/), and the world dataset written into a workspace for import. Callers that want the model
// get a clear 'not-found' error saying how to make one when none is shipped yet.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineError } from '../core/errors';
import type { JobContext } from '../jobs/job';
import type { Workspace } from '../store/workspace';
import { WORLD_VERSION, writeWorldDataset, type WorldDatasetResult } from './dataset';

export interface BuiltInWorld {
  /** resources/world, or undefined when this install has none. */
  readonly dir: string | undefined;
  /** The trained diffusers folder (resources/world itself), when one is shipped. */
  readonly modelDir: string | undefined;
  /** The judge folder (resources/world/judge), when shipped. */
  readonly judgeDir: string | undefined;
  /** Why there is no model, in words that say what to do; undefined when there is one. */
  readonly missing: string | undefined;
}

export const WORLD_IMAGE_SIDE = 64;
export const WORLD_DATASET_NAME = 'world';

function findWorldDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'resources', 'world');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

export function builtInWorld(): BuiltInWorld {
  const dir = findWorldDir();
  const modelDir = dir && existsSync(join(dir, 'model_index.json')) ? dir : undefined;
  const judgeDir = dir && existsSync(join(dir, 'judge', 'judge.safetensors')) ? join(dir, 'judge') : undefined;
  const missing = modelDir
    ? undefined
    : `No trained world model is shipped in ${dir ?? 'resources/world'} yet; train one with \`aptp world build --out ${dir ?? 'resources/world'}\` (its time on a 2-core CPU is in the README).`;
  return { dir, modelDir, judgeDir, missing };
}

/** The shipped world model folder, or a 'not-found' error saying how to build it. */
export function requireBuiltInWorldModel(): string {
  const world = builtInWorld();
  if (!world.modelDir) throw new EngineError('not-found', world.missing ?? 'No built-in world model.', { dir: world.dir ?? null });
  return world.modelDir;
}

/**
 * Renders `size` world scenes into the workspace (datasets/world-seed-S-N), reusing a complete
 * earlier rendering of the same seed and size. Import it with minSide 64: world images are 64x64
 * and the importer refuses images under 256 px by default.
 */
export async function writeBuiltInDataset(ws: Workspace, options: { size: number; seed: number }, ctx: JobContext): Promise<WorldDatasetResult> {
  const target = join(ws.dir, 'datasets', `world-seed-${options.seed}-${options.size}`);
  const done = renderedBefore(target, options);
  if (done) return done;
  mkdirSync(dirname(target), { recursive: true });
  return writeWorldDataset(target, options, ctx);
}

/** A finished rendering of the same world version, seed and size at `dir` (world.json is written last). */
function renderedBefore(dir: string, options: { size: number; seed: number }): WorldDatasetResult | undefined {
  try {
    const meta = JSON.parse(readFileSync(join(dir, 'world.json'), 'utf8')) as { version?: unknown; seed?: unknown; size?: unknown; counts?: Record<string, number> };
    if (meta.version !== WORLD_VERSION || meta.seed !== options.seed || meta.size !== options.size || !existsSync(join(dir, 'metadata.jsonl'))) return undefined;
    return { dir, items: options.size, counts: { ...meta.counts } };
  } catch {
    return undefined;
  }
}
