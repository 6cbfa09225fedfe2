// The desktop studio: finds the Electron binary the `electron` package installed (absent where its
// download was skipped) and runs the built main process with it.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The Electron executable, or undefined when the package has no binary on this machine. */
export function findElectronBinary(root: string): string | undefined {
  try {
    const pkg = createRequire(join(root, 'package.json')).resolve('electron/package.json');
    const pathFile = join(dirname(pkg), 'path.txt');
    if (!existsSync(pathFile)) return undefined;
    const binary = join(dirname(pkg), 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

/** Runs the desktop studio; resolves with its exit code when the window is closed. */
export function runDesktopStudio(electron: string, root: string, workspace: string | undefined): Promise<number> {
  const args = [root, ...(workspace ? [`--workspace=${workspace}`] : [])];
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(electron, args, { stdio: 'inherit', env });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}
