// Oracle tier runner: creates or reuses the Python venv at tests/oracle/.venv, installs the pinned
// requirements only when requirements.txt changed since the last install (a hash stamp in the venv),
// then runs `pytest tests/oracle -q` with the venv's python and exits with pytest's status.
// Extra arguments are passed to pytest (`npm run test:oracle -- -k attention`); when they name test
// files or folders, only those run.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const oracleDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(oracleDir, '..', '..');
const venvDir = join(oracleDir, '.venv');
const requirements = join(oracleDir, 'requirements.txt');
const stampFile = join(venvDir, '.requirements.sha256');
const isWindows = process.platform === 'win32';
const venvPython = isWindows ? join(venvDir, 'Scripts', 'python.exe') : join(venvDir, 'bin', 'python');

function fail(message, code = 1) {
  console.error(`oracle: ${message}`);
  process.exit(code);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: repoRoot, ...options });
  if (result.error) return { status: -1, error: result.error };
  return { status: result.status ?? 1 };
}

/** The system python to build the venv with, or null when none answers. */
function findSystemPython() {
  const candidates = process.env.APTP_PYTHON ? [process.env.APTP_PYTHON] : isWindows ? ['python', 'py'] : ['python3'];
  for (const name of candidates) {
    const probe = spawnSync(name, ['--version'], { encoding: 'utf8' });
    if (!probe.error && probe.status === 0) return name;
  }
  return null;
}

function ensureVenv() {
  if (existsSync(venvPython)) return;
  const python = findSystemPython();
  if (!python) {
    fail(process.env.APTP_PYTHON
      ? `APTP_PYTHON=${process.env.APTP_PYTHON} does not run; point it at a Python 3.10+ interpreter.`
      : 'python3 was not found on PATH; install Python 3.10+ (Debian: apt-get install python3 python3-venv) or set APTP_PYTHON.');
  }
  console.log(`oracle: creating ${relative(repoRoot, venvDir)} with ${python}`);
  const made = run(python, ['-m', 'venv', venvDir]);
  if (made.status !== 0) fail(`'${python} -m venv' failed; install the venv module (Debian: apt-get install python3-venv) and retry.`);
}

function requirementsHash() {
  const text = readFileSync(requirements);
  return createHash('sha256').update(text).digest('hex');
}

function ensureRequirements() {
  const wanted = requirementsHash();
  const have = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
  if (have === wanted) return;
  console.log('oracle: installing tests/oracle/requirements.txt into the venv (first run or requirements changed)');
  const started = Date.now();
  const pip = run(venvPython, ['-m', 'pip', 'install', '--disable-pip-version-check', '-r', requirements]);
  if (pip.status !== 0) fail(`pip install -r tests/oracle/requirements.txt failed (exit ${pip.status}); see pip's output above, check the network to PyPI and retry.`);
  writeFileSync(stampFile, `${wanted}\n`);
  console.log(`oracle: venv ready in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

function runPytest() {
  const env = { ...process.env, HF_HUB_OFFLINE: '1', PYTHONDONTWRITEBYTECODE: '1' };
  const extra = process.argv.slice(2);
  const namesPaths = extra.some((a) => !a.startsWith('-') && existsSync(join(repoRoot, a.split('::')[0] ?? '')));
  const args = ['-m', 'pytest', ...(namesPaths ? [] : [relative(repoRoot, oracleDir) || '.']), '-q', ...extra];
  const result = run(venvPython, args, { env });
  if (result.status === -1) fail(`could not start ${venvPython}: ${String(result.error)}; delete tests/oracle/.venv and retry.`);
  return result.status;
}

ensureVenv();
ensureRequirements();
process.exit(runPytest());
