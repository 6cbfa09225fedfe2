// Electron main, kept thin: security policy, the app scheme, the engine host (a utility process),
// the StudioApi IPC edge and the window. Accepts `--workspace=<dir>` (passed on by `aptp studio`).
import { app } from 'electron';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { registerAppScheme, serveAppScheme } from './app-protocol';
import { EngineHost } from './engine-host';
import { createMainWindow } from './main-window';
import { applySecurityPolicy, isProduction } from './security';
import { registerStudioIpc, sendStudioEvent } from './studio-ipc';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..');
const WORKSPACE_FLAG = '--workspace=';

function workspaceArgument(): string | undefined {
  const arg = process.argv.find((a) => a.startsWith(WORKSPACE_FLAG));
  return arg ? arg.slice(WORKSPACE_FLAG.length) || undefined : undefined;
}

// Started by the engine with this flag (the packaged app's RunAsNode fuse is off, so Electron cannot
// run as plain Node): run one bundled engine entry of this app (a run worker) headless, no window.
// Kept equal to ELECTRON_ENTRY_FLAG in src/engine/runs/node-entry.ts (main may not import the engine).
const NODE_ENTRY_FLAG = '--aptp-node-entry=';
const nodeEntryArg = process.argv.find((a) => a.startsWith(NODE_ENTRY_FLAG));
if (nodeEntryArg) runHeadless(nodeEntryArg.slice(NODE_ENTRY_FLAG.length));
else startStudio();

function runHeadless(entry: string): void {
  const script = resolve(entry);
  if (relative(out, script).startsWith('..') || !/\.(c|m)?js$/.test(script)) {
    console.error(`[main] refusing to run ${script}: only this app's own bundled entries run headless.`);
    process.exit(2);
  }
  app.dock?.hide();
  void import(pathToFileURL(script).href);
}

function startStudio(): void {
  const host = new EngineHost({
    script: join(here, 'engine-host.js'),
    workspace: workspaceArgument(),
    onEvent: sendStudioEvent,
    log: (line) => console.error(`[main] ${line}`),
  });

  app.enableSandbox();
  registerAppScheme();

  void app.whenReady().then(() => {
    applySecurityPolicy();
    serveAppScheme(join(out, 'renderer'));
    registerStudioIpc(host);
    createMainWindow({ preload: join(out, 'preload', 'index.cjs'), icon: join(out, '..', 'resources', 'icon.png'), production: isProduction() });
  });

  app.on('window-all-closed', () => {
    host.stop();
    app.quit();
  });
}
