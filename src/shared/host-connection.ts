// One engine host connection, whichever front end holds it (Electron main: a utility process; the
// web studio: a forked Node process): requests go to the host as envelopes and come back validated
// by the RPC client; its events go to the listener; the job-event reducer tracks which jobs run.
// A host that dies fails its pending requests as values, ends every job it was running with ONE
// 'engine-stopped' jobFinished event, and is started again on the next request. The process
// itself is supplied (`start`), so this file stays transport-free.
import { abandonJobs, isJobEvent, reduceJobEvent, type JobEvent, type JobState } from './job-events';
import type { ErrorInfo, Result } from './result';
import type { StudioEvent, StudioEventListener, StudioMethod } from './studio-api';
import { createStudioRpcClient, type StudioRpcClient } from './studio-client';
import type { RequestEnvelope } from './studio-wire';

export interface HostChild {
  send(envelope: RequestEnvelope): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

/** Which jobs of the host still run, from their events; when the host dies, their one last event. */
export class JobWatch {
  readonly #jobs = new Map<string, JobState>();

  observe(event: StudioEvent): void {
    if (!isJobEvent(event)) return;
    const state = reduceJobEvent(this.#jobs.get(event.payload.jobId), event);
    if (state.finished) this.#jobs.delete(state.jobId);
    else this.#jobs.set(state.jobId, state);
  }

  /** The events that end every job still running with `error`; forgets them. */
  abandon(error: ErrorInfo): JobEvent[] {
    const events = abandonJobs(this.#jobs.values(), error);
    this.#jobs.clear();
    return events;
  }
}

export interface HostConnectionOptions {
  readonly start: () => HostChild;
  readonly onEvent: StudioEventListener;
  readonly log: (line: string) => void;
}

export class HostConnection {
  #child: HostChild | undefined;
  #rpc: StudioRpcClient | undefined;
  readonly #jobs = new JobWatch();

  constructor(private readonly options: HostConnectionOptions) {}

  call(method: StudioMethod, input: unknown): Promise<Result<unknown>> {
    return this.#connect().call(method, input);
  }

  stop(): void {
    const child = this.#child;
    this.#child = undefined;
    this.#rpc = undefined;
    child?.kill();
  }

  #connect(): StudioRpcClient {
    if (this.#rpc) return this.#rpc;
    const child = this.options.start();
    const rpc = createStudioRpcClient({
      send: (envelope) => child.send(envelope),
      onInvalid: (problem) => this.options.log(`engine host sent an invalid message: ${problem}`),
    });
    rpc.api.onEvent((event) => {
      this.#jobs.observe(event);
      this.options.onEvent(event);
    });
    child.onMessage((message) => rpc.receive(message));
    child.onExit((code) => {
      this.options.log(`engine host exited with code ${code}`);
      rpc.disconnect(`The engine stopped (exit code ${code}); the next request starts it again.`);
      const error = { code: 'engine-stopped', message: `The engine stopped (exit code ${code}) while this job ran; start it again.`, details: { exitCode: code } };
      for (const event of this.#jobs.abandon(error)) this.options.onEvent(event);
      if (this.#rpc === rpc) {
        this.#rpc = undefined;
        this.#child = undefined;
      }
    });
    this.#child = child;
    this.#rpc = rpc;
    return rpc;
  }
}
