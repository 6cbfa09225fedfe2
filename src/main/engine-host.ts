// The engine host as seen from main: a utility process running out/main/engine-host.js, so engine
// work never blocks the window. Requests go over its port as envelopes; its events (validated by
// the RPC client) go on to the windows. A host that dies fails its pending requests as values,
// ends every job it was running with an 'engine-stopped' error event, and is started again on the
// next request.
import { utilityProcess, type UtilityProcess } from 'electron';
import type { Result } from '../shared/result';
import type { StudioEventListener, StudioMethod } from '../shared/studio-api';
import { createStudioRpcClient, type StudioRpcClient } from '../shared/studio-client';
import { JobWatch } from './job-watch';

export interface EngineHostOptions {
  readonly script: string;
  readonly workspace: string | undefined;
  readonly onEvent: StudioEventListener;
  readonly log: (line: string) => void;
}

export class EngineHost {
  #child: UtilityProcess | undefined;
  #rpc: StudioRpcClient | undefined;
  readonly #jobs = new JobWatch();

  constructor(private readonly options: EngineHostOptions) {}

  async call(method: StudioMethod, input: unknown): Promise<Result<unknown>> {
    return this.#connect().call(method, input);
  }

  stop(): void {
    this.#child?.kill();
  }

  #failRunningJobs(code: number): void {
    const error = { code: 'engine-stopped', message: `The engine stopped (exit code ${code}) while this job ran; start it again.`, details: { exitCode: code } };
    for (const event of this.#jobs.abandon(error)) this.options.onEvent(event);
  }

  #connect(): StudioRpcClient {
    if (this.#rpc) return this.#rpc;
    const args = this.options.workspace ? [`--workspace=${this.options.workspace}`] : [];
    const child = utilityProcess.fork(this.options.script, args, { serviceName: 'APTP engine host', stdio: 'inherit' });
    const rpc = createStudioRpcClient({
      send: (envelope) => child.postMessage(envelope),
      onInvalid: (problem) => this.options.log(`engine host sent an invalid message: ${problem}`),
    });
    rpc.api.onEvent((event) => {
      this.#jobs.observe(event);
      this.options.onEvent(event);
    });
    child.on('message', (message: unknown) => rpc.receive(message));
    child.once('exit', (code) => {
      this.options.log(`engine host exited with code ${code}`);
      rpc.disconnect(`The engine stopped (exit code ${code}); the next request starts it again.`);
      this.#failRunningJobs(code);
      if (this.#rpc === rpc) this.#rpc = undefined;
    });
    this.#child = child;
    this.#rpc = rpc;
    return rpc;
  }
}
