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
  ])('allows %s importing: %s', async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([]);
  });
});
