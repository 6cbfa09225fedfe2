// The StudioApi handlers of the built-in world: where the shipped world model is (or why there is
// none), and "Use the built-in world dataset": render world scenes into the workspace (reused when
// rendered before) and start an importDataset run on them at minSide 64, named 'world'.
import type { StudioHandlers } from '../../shared/studio-api';
import { startRun } from '../runs/launcher';
import type { Workspace } from '../store/workspace';
import { builtInWorld, WORLD_DATASET_NAME, WORLD_IMAGE_SIDE, writeBuiltInDataset } from '../world/built-in';

type WorldHandlers = Pick<StudioHandlers, 'builtInWorld' | 'importBuiltInWorld'>;

export function worldHandlers(workspace: () => Workspace): WorldHandlers {
  return {
    builtInWorld: async () => {
      const world = builtInWorld();
      return { modelDir: world.modelDir ?? null, missing: world.missing ?? null };
    },
    importBuiltInWorld: async ({ size }) => {
      const ws = workspace();
      const rendered = await writeBuiltInDataset(ws, { size, seed: 0 }, { signal: new AbortController().signal, progress: () => {} });
      const run = await startRun(ws, 'importDataset', { path: rendered.dir, name: WORLD_DATASET_NAME, minSide: WORLD_IMAGE_SIDE });
      return { jobId: run.id };
    },
  };
}
