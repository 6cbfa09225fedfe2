// Where a Node entry of the engine lives, from where this code runs: the bundled file next to the
// running bundle (out/cli/NAME.mjs, out/main/NAME.js), else the TypeScript source through tsx
// (tests, development). Inside Electron the app's own binary runs the entry headless (see
// ELECTRON_ENTRY_FLAG), which works with the RunAsNode fuse off. Used to start run
// workers and the web studio's engine host.
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineError } from '../core/errors';

export interface NodeEntry {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Electron main runs the bundled entry named after this flag (a run worker) instead of the studio. */
export const ELECTRON_ENTRY_FLAG = '--aptp-node-entry=';

/** The repository root when running from source (src/engine/host/ -> root). */
const sourceRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** `bundledName`: the entry's name in out/ (without extension); `source`: its path under src/. */
export function nodeEntry(callerUrl: string, bundledName: string, source: string): NodeEntry {
  const here = dirname(fileURLToPath(callerUrl));
  const env = { ...process.env };
  // The bundler may have put this code in a chunk folder below the entries (out/main/chunks/).
  for (const dir of [here, dirname(here)]) {
    for (const ext of ['.mjs', '.js']) {
      const bundled = join(dir, `${bundledName}${ext}`);
      if (!existsSync(bundled)) continue;
      // A packaged app has the RunAsNode fuse off, so Electron cannot run as plain Node: the app itself
      // starts, sees ELECTRON_ENTRY_FLAG and runs the entry headless instead of opening a window.
      if (process.versions.electron) return { command: process.execPath, args: [`${ELECTRON_ENTRY_FLAG}${bundled}`], env };
      return { command: process.execPath, args: [bundled], env };
    }
  }
  const file = join(sourceRoot, source);
  if (existsSync(file) && !relative(sourceRoot, here).startsWith('..')) return { command: process.execPath, args: ['--import', 'tsx', file], env, cwd: sourceRoot };
  throw new EngineError('not-found', `${bundledName} is missing next to ${here}; rebuild APTP Studio (\`npm run setup\`).`, { dir: here });
}
