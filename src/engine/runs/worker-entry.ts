// Entry of a run's worker process: `node run-worker.mjs --workspace=DIR --run=ID`. Opens the
// workspace, executes the run to its end (see worker.ts) and exits; its stdout/stderr go to the
// run's log file (set up by the launcher). Exit 0 whatever the run's outcome: the outcome is in the DB.
import { openWorkspace } from '../store/workspace';
import { executeRun } from './worker';

function argument(name: string): string | undefined {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg?.slice(name.length + 3);
}

const dir = argument('workspace');
const runId = argument('run');
if (!dir || !runId) {
  console.error('run worker: start me with --workspace=DIR --run=ID (the launcher does this).');
  process.exit(2);
}
const ws = openWorkspace(dir);
try {
  const ran = await executeRun(ws, runId);
  if (!ran) console.error(`run worker: run ${runId} was not pending (another worker took it, or it was cancelled).`);
} catch (error) {
  console.error(`run worker: run ${runId} failed:`, error);
} finally {
  ws.close();
}
process.exit(0);
