// Electron main, kept thin: security policy, the app scheme, the engine host (a utility process),
// the StudioApi IPC edge and the window. Accepts `--workspace=<dir>` (passed on by `aptp studio`).
import { app } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
