// better-sqlite3 for the desktop studio. The CLI and tests run better-sqlite3 on Node's ABI; the
// engine host in Electron needs a build for Electron's ABI. Both must coexist in one node_modules,
// so the Electron build goes to its own file, node_modules/.aptp/electron-<version>/better_sqlite3.node,
// which src/engine/store/native-binding.ts loads when running inside Electron. Runs only where the
// Electron binary was installed; fetches a prebuilt binary, else compiles against Electron's headers.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function electronSqliteBinding(root, electronVersion) {
  return join(root, 'node_modules', '.aptp', `electron-${electronVersion}`, 'better_sqlite3.node');
}

function installedElectronVersion(root) {
  const pkg = join(root, 'node_modules', 'electron');
  if (!existsSync(join(pkg, 'path.txt'))) return null; // package present, binary never downloaded
  return JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).version;
}

function tryRun(cwd, args) {
  return spawnSync(process.execPath, args, { cwd, stdio: 'inherit' }).status === 0;
}

/** Builds the Electron binding when Electron is installed and the binding is missing; returns a status line. */
export function ensureElectronSqlite(root) {
  const version = installedElectronVersion(root);
  if (!version) return null;
  const target = electronSqliteBinding(root, version);
  if (existsSync(target)) return null;
  const work = mkdtempSync(join(tmpdir(), 'aptp-electron-sqlite-'));
  try {
    cpSync(join(root, 'node_modules', 'better-sqlite3'), work, { recursive: true, filter: (src) => !src.includes(`${join('better-sqlite3', 'build')}`) });
    const prebuild = join(root, 'node_modules', 'prebuild-install', 'bin.js');
    const nodeGyp = join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    const built =
      tryRun(work, [prebuild, '--runtime', 'electron', '--target', version, '--arch', process.arch]) ||
      (existsSync(nodeGyp) && tryRun(work, [nodeGyp, 'rebuild', '--release', '--runtime=electron', `--target=${version}`, '--dist-url=https://electronjs.org/headers']));
    const output = join(work, 'build', 'Release', 'better_sqlite3.node');
    if (!built || !existsSync(output)) {
      return `setup: could not build SQLite for Electron ${version}; the desktop studio cannot open workspaces until \`npm run setup\` succeeds with network access (the web studio works).`;
    }
    mkdirSync(join(target, '..'), { recursive: true });
    cpSync(output, `${target}.tmp`);
    renameSync(`${target}.tmp`, target);
    return `setup: built SQLite for Electron ${version}.`;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
