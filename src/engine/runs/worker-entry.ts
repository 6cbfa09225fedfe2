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
async function main(workspaceDir: string, id: string): Promise<void> {
  const ws = openWorkspace(workspaceDir);
  try {
    const ran = await executeRun(ws, id);
    if (!ran) console.error(`run worker: run ${id} was not pending (another worker took it, or it was cancelled).`);
  } catch (error) {
    console.error(`run worker: run ${id} failed:`, error);
  } finally {
    ws.close();
  }
}

void main(dir, runId).finally(() => process.exit(0));
