// `aptp studio`: the desktop studio where the Electron binary exists, else (or with --web) the web
// studio on 127.0.0.1 with a per-launch token: its engine runs in a forked engine host process
// (never on the server's thread), job events broadcast to its clients. Resolves when the app or
// server stops; runs started from it go on.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findAppRoot, rendererDir } from './app-paths';
import { findElectronBinary, runDesktopStudio } from './desktop';
import { forkEngineHost, type ForkedHost } from './forked-host';
import { openInBrowser } from './open-browser';
import { startWebStudio, type WebStudioServer } from './web-server';

export interface StudioCommandArgs {
  web: boolean;
  port?: number;
  workspace?: string;
  open?: boolean;
}

export interface WebStudioSession {
  readonly server: WebStudioServer;
  readonly host: Pick<ForkedHost, 'pid'>;
  stop(): Promise<void>;
}

/** Starts the web studio against a workspace; the caller decides when to stop it. */
export async function startWebStudioSession(args: { port?: number; workspace?: string; root?: string }): Promise<WebStudioSession> {
  const dir = rendererDir(args.root);
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`The studio is not built (${dir} is missing); run \`npm run build\` first.`);
  }
  let broadcast: WebStudioServer['broadcast'] | undefined;
  const host = forkEngineHost(args.workspace, (event) => broadcast?.(event), (line) => console.error(`studio: ${line}`));
  const server = await startWebStudio({
    rendererDir: dir,
    handlers: host.handlers,
    port: args.port,
    logError: () => {},
  });
  broadcast = server.broadcast;
  return {
    server,
    host,
    stop: async () => {
      await server.close();
      host.stop();
    },
  };
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function runWebStudio(args: StudioCommandArgs): Promise<void> {
  const session = await startWebStudioSession({ port: args.port, workspace: args.workspace });
  console.log(`APTP Studio (web) is running at ${session.server.url}`);
  console.log('Press Ctrl+C to stop.');
  if (args.open) openInBrowser(session.server.url);
  await untilSignal();
  await session.stop();
}

export async function runStudioCommand(args: StudioCommandArgs): Promise<void> {
  if (args.web) return runWebStudio(args);
  const root = findAppRoot();
  const electron = findElectronBinary(root);
  if (!electron) {
    console.log('The Electron binary is not installed on this machine, so the web studio is served instead.');
    return runWebStudio({ ...args, open: args.open ?? true });
  }
  const code = await runDesktopStudio(electron, root, args.workspace);
  if (code !== 0) throw new Error(`The desktop studio exited with code ${code}.`);
}
