// The layer table is enforced by `npm run lint`: forbidden imports fail, allowed ones pass.
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: root });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'aptp/layers').map((m) => m.message);
}

describe('layer boundaries', () => {
  it.each([
    ['src/renderer/lib/x.ts', "import { openWorkspace } from '../../engine/store/workspace';", /src\/renderer may not import src\/engine/],
    ['src/renderer/lib/x.ts', "import { readFileSync } from 'node:fs';", /Node built-in 'node:fs'/],
    ['src/renderer/Thing.svelte', "<script lang=\"ts\">import { ipcRenderer } from 'electron';</script>", /may not import package 'electron'/],
    ['src/engine/ir/x.ts', "import { app } from 'electron';", /may not import package 'electron'/],
    ['src/engine/data/x.ts', "import { app } from 'electron';", /src\/engine may not import electron/],
    ['src/engine/data/x.ts', "import * as ort from 'onnxruntime-node';", /only src\/engine\/runtime may import onnxruntime-node/],
    ['src/engine/runtime/x.ts', "import Database from 'better-sqlite3';", /only src\/engine\/store may import better-sqlite3/],
    ['src/engine/core/x.ts', "import { GraphBuilder } from '../ir';", /src\/engine\/core may not import src\/engine\/ir/],
    ['src/shared/x.ts', "import { EngineError } from '../engine/core/errors';", /src\/shared may not import src\/engine/],
    ['src/preload/x.ts', "export * from '../main/security';", /src\/preload may not import src\/main/],
    ['src/engine/x.ts', "const m = await import('../cli/index');", /src\/engine may not import src\/cli/],
    // The engine's own folders, bottom up: core < ir < autodiff/onnx < runtime < weights < train <
    // models < data/demo < world/aptp/metrics/bundle < runs/system < host (jobs and store sit on core).
    ['src/engine/ir/x.ts', "import { grad } from '../autodiff';", /src\/engine\/ir may not import src\/engine\/autodiff/],
    ['src/engine/autodiff/x.ts', "import { emitModel } from '../onnx/model';", /src\/engine\/autodiff may not import src\/engine\/onnx/],
    ['src/engine/onnx/x.ts', "import { loadSession } from '../runtime/session';", /src\/engine\/onnx may not import src\/engine\/runtime/],
    ['src/engine/runtime/x.ts', "import { sgd } from '../train';", /src\/engine\/runtime may not import src\/engine\/train/],
    ['src/engine/runtime/x.ts', "import type { StudioHandlers } from '../../shared/studio-api';", /src\/engine\/runtime may not import src\/shared/],
    ['src/engine/weights/x.ts', "import { sgd } from '../train';", /src\/engine\/weights may not import src\/engine\/train/],
    ['src/engine/train/x.ts', "import { buildUNet } from '../models/sd/unet';", /src\/engine\/train may not import src\/engine\/models/],
    ['src/engine/train/x.ts', "import { openWorkspace } from '../store/workspace';", /src\/engine\/train may not import src\/engine\/store/],
    ['src/engine/models/sd/unet/x.ts', "import { importDataset } from '../../../data/import-dataset';", /src\/engine\/models may not import src\/engine\/data/],
    ['src/engine/data/x.ts', "import type { StudioHandlers } from '../../shared/studio-api';", /src\/engine\/data may not import src\/shared/],
    ['src/engine/data/x.ts', "import { scene } from '../world/scene';", /src\/engine\/data may not import src\/engine\/world/],
    ['src/engine/world/x.ts', "import { router } from '../aptp/router';", /src\/engine\/world may not import src\/engine\/aptp/],
    ['src/engine/aptp/x.ts', "import { startRun } from '../runs/launch';", /src\/engine\/aptp may not import src\/engine\/runs/],
    ['src/engine/runs/x.ts', "import { serveHost } from '../host/serve-host';", /src\/engine\/runs may not import src\/engine\/host/],
    ['src/engine/store/x.ts', "import { importDataset } from '../data/import-dataset';", /src\/engine\/store may not import src\/engine\/data/],
    ['src/engine/jobs/x.ts', "import { openWorkspace } from '../store/workspace';", /src\/engine\/jobs may not import src\/engine\/store/],
    ['src/engine/newthing/x.ts', "import { EngineError } from '../core/errors';", /src\/engine\/newthing may not import src\/engine\/core: it is in no layer; add the folder to the table/],
  ])('refuses %s importing: %s', async (file, code, message) => {
    const errors = await layerErrors(file, code);
    expect(errors.join('\n')).toMatch(message);
  });

  it.each([
    ['src/renderer/lib/x.ts', "import type { MachineInfo } from '../../shared/machine-info';"],
    ['src/engine/runtime/x.ts', "import * as ort from 'onnxruntime-node';"],
    ['src/engine/store/x.ts', "import Database from 'better-sqlite3';"],
    ['src/cli/x.ts', "import { openWorkspace } from '../engine/store/workspace';"],
    ['src/main/x.ts', "import { app } from 'electron';"],
    ['src/engine/ir/x.ts', "import { EngineError } from '../core/errors';"],
    ['src/engine/autodiff/x.ts', "import { GraphBuilder } from '../ir/builder';"],
    ['src/engine/runtime/x.ts', "import type { ExecutionProviderInfo } from '../../shared/machine-info';"],
    ['src/engine/train/x.ts', "import { gradients } from '../autodiff';"],
    ['src/engine/models/sd/unet/x.ts', "import { sgd } from '../../../train';"],
    ['src/engine/data/x.ts', "import { openWorkspace } from '../store/workspace';"],
    ['src/engine/world/x.ts', "import { buildUNet } from '../models/sd/unet';"],
    ['src/engine/aptp/x.ts', "import { importDataset } from '../data/import-dataset';"],
    ['src/engine/runs/x.ts', "import { router } from '../aptp/router';"],
    ['src/engine/host/x.ts', "import { startRun } from '../runs/launch';"],
    ['src/engine/host/x.ts', "import type { StudioHandlers } from '../../shared/studio-api';"],
  ])('allows %s importing: %s', async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([]);
  });
});
