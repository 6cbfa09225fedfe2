// Test helper: a real workspace with a tiny diffusers folder and a small captioned image dataset
// imported and prepared at 64 px through the engine's own importer and preparation (VAE latents,
// text states, pooled prompt embeddings), so trainer tests run `openPruneJob` as the CLI does.
import { join } from 'node:path';
import { importDataset } from '../../src/engine/data/import-dataset';
import { runPreparation } from '../../src/engine/data/prepare-job';
import { openWorkspace, type Workspace } from '../../src/engine/store/workspace';
import { put, solidImage } from '../engine/data/fixtures';
import { writeTinyFolder } from '../engine/models/sd/loader/tiny-folder';
import { tempDir } from '../engine/store/helpers';

export const CAPTIONS = ['a red square', 'a blue circle', 'text that says hello', 'a portrait', 'a painting of a lake', 'two cats', 'a green field', 'a city at night'] as const;

export interface PreparedWorkspace {
  readonly ws: Workspace;
  readonly dir: string;
  readonly model: string;
  readonly datasetId: string;
  cleanup(): void;
}

const quiet = () => ({ signal: new AbortController().signal, progress: () => {} });

export async function preparedWorkspace(prefix: string): Promise<PreparedWorkspace> {
  const temp = tempDir(prefix);
  const data = join(temp.dir, 'data');
  for (const [i, caption] of CAPTIONS.entries()) {
    put(data, `${i}.png`, await solidImage('png', 300, 300, i + 1));
    put(data, `${i}.txt`, caption);
  }
  const model = join(temp.dir, 'model');
  await writeTinyFolder(model);
  const ws = openWorkspace(join(temp.dir, 'workspace'));
  const { datasetId } = await importDataset(ws, { path: data }, {}, quiet());
  await runPreparation(ws, { datasetId, modelDir: model, resolution: 64, crop: 'center', flip: false }, quiet());
  return { ws, dir: temp.dir, model, datasetId, cleanup: () => { ws.close(); temp.cleanup(); } };
}
