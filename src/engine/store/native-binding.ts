// Which compiled better-sqlite3 to load. Under plain Node (CLI, web studio, tests) the package's own
// build; inside Electron (the desktop studio's engine host) the Electron-ABI build that
// scripts/electron-sqlite.mjs put beside node_modules/better-sqlite3, because one node_modules
// cannot hold both ABIs in the package's own folder.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { EngineError } from '../core/errors';

export function electronBindingPath(packageDir: string, electronVersion: string): string {
  return join(packageDir, '..', '.aptp', `electron-${electronVersion}`, 'better_sqlite3.node');
}

/** undefined: use the package's own build; a path: the Electron build (which must exist). */
export function sqliteNativeBinding(versions: NodeJS.ProcessVersions = process.versions): string | undefined {
  const electron = (versions as NodeJS.ProcessVersions & { electron?: string }).electron;
  if (!electron) return undefined;
  const packageDir = dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
  const path = electronBindingPath(packageDir, electron);
  if (!existsSync(path)) {
    throw new EngineError('store-failure', `SQLite has not been built for Electron ${electron} (${path} is missing). Run \`npm run setup\` with network access, or use the web studio (\`npm run studio:web\`).`, { path, electron });
  }
  return path;
}
