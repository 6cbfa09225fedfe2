// Entry of the engine host: the process (Electron utility process, or a Node process the web
// studio forks) or worker thread that runs the engine off the UI and server threads. Started with `--workspace=<dir>` (optional); answers
// StudioApi request envelopes on its parent port, and sends job events as event envelopes on the
// same port, until the parent goes away. Failures are logged one line each when they are the
// user's (log-line.ts), with a stack only when something broke.
import { eventEnvelope } from '../../shared/studio-server';
import { connectHostPort } from './host-port';
import { errorLogText } from './log-line';
import { serveStudioHost } from './serve-host';
import { createStudioService } from './studio-service';
import { WorkspaceHolder } from './workspace-holder';

const WORKSPACE_FLAG = '--workspace=';

function workspaceArgument(argv: readonly string[]): string | undefined {
  const arg = argv.find((a) => a.startsWith(WORKSPACE_FLAG));
  return arg ? arg.slice(WORKSPACE_FLAG.length) || undefined : undefined;
}

const port = connectHostPort();
if (!port) {
  console.error('engine host: start me as an Electron utility process, a forked process or a worker thread, not directly.');
  process.exit(2);
}
const hostPort = port;
const workspace = new WorkspaceHolder(workspaceArgument(process.argv));
const service = createStudioService({
  workspace,
  emit: (event) => hostPort.postMessage(eventEnvelope(event)),
  logJobError: (jobId, error) => console.error(errorLogText(`engine host: job ${jobId}`, error)),
});
serveStudioHost(hostPort, service.handlers, (method, error) => console.error(errorLogText(`engine host: ${method}`, error)));
process.on('exit', () => workspace.close());
