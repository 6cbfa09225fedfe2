// The engine host as seen from main: a utility process running out/main/engine-host.js, so engine
// work never blocks the window. Requests go over its port as envelopes; its events (validated by
// the RPC client) go on to the windows. A host that dies fails its pending requests as values,
// ends every job it was running with an 'engine-stopped' error event, and is started again on the
// next request.
import { utilityProcess, type UtilityProcess } from 'electron';
import type { Result } from '../shared/result';
import type { StudioEvent, StudioEventListener, StudioMethod } from '../shared/studio-api';
import { createStudioRpcClient, type StudioRpcClient } from '../shared/studio-client';
import type { StudioJobKind } from '../shared/studio-jobs';

export interface EngineHostOptions {
  readonly script: string;
  readonly workspace: string | undefined;
  readonly onEvent: StudioEventListener;
  readonly log: (line: string) => void;
}

export class EngineHost {
  #child: UtilityProcess | undefined;
  #rpc: StudioRpcClient | undefined;
  /** Jobs that reported progress and have not finished yet. */
  readonly #jobs = new Map<string, StudioJobKind>();

  constructor(private readonly options: EngineHostOptions) {}

  call(method: StudioMethod, input: unknown): Promise<Result<unknown>> {
    return this.#connect().call(method, input);
  }

  stop(): void {
    this.#child?.kill();
  }

  #forward(event: StudioEvent): void {
    if (event.event === 'jobProgress') this.#jobs.set(event.payload.jobId, event.payload.kind);
    if (event.event === 'jobFinished') this.#jobs.delete(event.payload.jobId);
    this.options.onEvent(event);
  }

  #failRunningJobs(code: number): void {
    for (const [jobId, kind] of this.#jobs) {
      const error = { code: 'engine-stopped', message: `The engine stopped (exit code ${code}) while this job ran; start it again.`, details: { exitCode: code } };
      this.options.onEvent({ event: 'jobFinished', payload: { jobId, kind, result: { ok: false, error } } });
    }
    this.#jobs.clear();
  }

  #connect(): StudioRpcClient {
    if (this.#rpc) return this.#rpc;
    const args = this.options.workspace ? [`--workspace=${this.options.workspace}`] : [];
    const child = utilityProcess.fork(this.options.script, args, { serviceName: 'APTP engine host', stdio: 'inherit' });
    const rpc = createStudioRpcClient({
      send: (envelope) => child.postMessage(envelope),
      onInvalid: (problem) => this.options.log(`engine host sent an invalid message: ${problem}`),
    });
    rpc.api.onEvent((event) => this.#forward(event));
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
