// Brings a fresh clone to a runnable state: installs npm packages (only when the lockfile changed)
// and builds the studio (only when sources changed). Plain Node, no dependencies, so it runs
// before node_modules exists. On a machine that cannot reach the hosts some packages download
// binaries from (Electron from GitHub, onnxruntime's CUDA provider from NuGet), it says so in one
// line and installs without those downloads instead of failing; everything else is as usual.
// Where Electron is installed, it also builds SQLite for Electron's ABI (scripts/electron-sqlite.mjs).
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { existsSync, readFileSync, statSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureElectronSqlite } from './electron-sqlite.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Whether a TCP connection to host:443 opens within 3 s (a name that resolves is not enough). */
function reachable(host) {
  return new Promise((resolve) => {
    const socket = connect({ host, port: 443, timeout: 3000 });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function run(cmd, args, env = process.env) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(`setup: '${cmd} ${args.join(' ')}' failed (exit ${result.status}); fix the error above and rerun.`);
    process.exit(result.status ?? 1);
  }
}

async function installEnv() {
  const env = { ...process.env };
  if (!(await reachable('github.com'))) {
    console.log('setup: github.com is unreachable, so the Electron binary is skipped; `npm start` will serve the web studio.');
    env.ELECTRON_SKIP_BINARY_DOWNLOAD = '1';
    const headers = '/usr/include/node/node_version.h';
    if (!env.npm_config_nodedir && existsSync(headers)) env.npm_config_nodedir = '/usr';
  }
  if (process.platform === 'linux' && !(await reachable('api.nuget.org'))) {
    console.log('setup: api.nuget.org is unreachable, so onnxruntime is installed without its CUDA provider (CPU only).');
    env.ONNXRUNTIME_NODE_INSTALL = 'skip';
  }
  return env;
}

function installIsCurrent() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return false;
  const lock = join(root, 'package-lock.json');
  return existsSync(lock) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs;
}

function buildIsCurrent() {
  const built = join(root, 'out', 'renderer', 'index.html');
  if (!existsSync(built)) return false;
  const sources = Math.max(newestMtime(join(root, 'src')), statSync(join(root, 'electron.vite.config.ts')).mtimeMs);
  return statSync(built).mtimeMs >= sources;
}

if (!installIsCurrent()) {
  const lockExists = existsSync(join(root, 'package-lock.json'));
  run(npm, [lockExists ? 'ci' : 'install', '--no-audit', '--no-fund'], await installEnv());
}
const electronNote = ensureElectronSqlite(root);
if (electronNote) console.log(electronNote);
if (!buildIsCurrent() || process.argv.includes('--build')) run(npm, ['run', 'build']);
