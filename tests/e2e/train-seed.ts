// A workspace a pruning run can start in, made the way a user makes it: a tiny diffusers folder and
// eight captioned images imported and prepared at 64 px with the built `aptp` (real processes).
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { put, solidImage } from '../engine/data/fixtures';
import { writeTinyFolder } from '../engine/models/sd/loader/tiny-folder';

const CAPTIONS = ['a red square', 'a blue circle', 'text that says hello', 'a portrait of a man', 'a painting of a lake', 'two cats on a sofa', 'a green triangle', 'a city at night'];

export const TRAIN_RESOLUTION = 64;

function aptp(workspace: string, ...args: string[]): void {
  const r = spawnSync(process.execPath, [resolve('bin/aptp.mjs'), ...args], { encoding: 'utf8', env: { ...process.env, APTP_WORKSPACE: workspace, APTP_THREADS: '1', NO_COLOR: '1' } });
  if (r.status !== 0) throw new Error(`aptp ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
}

/** Writes the model and the dataset (named 'captions') under `temp`; returns the model folder. */
export async function seedTrainWorkspace(temp: string, workspace: string): Promise<{ model: string; dataset: string }> {
  const data = join(temp, 'captions');
  for (const [i, caption] of CAPTIONS.entries()) {
    put(data, `${i}.png`, await solidImage('png', 96, 96, i + 1));
    put(data, `${i}.txt`, caption);
  }
  const model = await writeTinyFolder(join(temp, 'model'));
  aptp(workspace, 'data', 'import', data, '--min-side', '64');
  aptp(workspace, 'data', 'prepare', 'captions', '--model', model, '--resolution', String(TRAIN_RESOLUTION));
  return { model, dataset: 'captions' };
}
