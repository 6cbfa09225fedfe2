// The web studio's engine host: the same host entry Electron runs as a utility process, forked here
// as a Node process with an IPC channel, so the HTTP/WebSocket server never runs engine work on its
// thread. The shared HostConnection forwards requests, passes events on, ends a dead host's jobs
// with one 'engine-stopped' event each and starts a new host on the next request.
import { spawn } from 'node:child_process';
import { nodeEntry } from '../../engine/runs/node-entry';
import { HostConnection, type HostChild } from '../../shared/host-connection';
import { studioMethods, type StudioEventListener, type StudioHandlers } from '../../shared/studio-api';
import type { ErrorInfo } from '../../shared/result';

/** A host's error value, rethrown so the server answers with the same code, message and details. */
class HostError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown>;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.code = info.code;
    this.details = info.details;
  }
}

export interface ForkedHost {
  readonly handlers: StudioHandlers;
  /** The running host's pid (undefined before the first request or after it died). */
  pid(): number | undefined;
  stop(): void;
}

export function forkEngineHost(workspace: string | undefined, onEvent: StudioEventListener, log: (line: string) => void): ForkedHost {
  let pid: number | undefined;
  const start = (): HostChild => {
    const entry = nodeEntry(import.meta.url, 'engine-host', 'src/engine/host/host-process.ts');
    const child = spawn(entry.command, [...entry.args, ...(workspace ? [`--workspace=${workspace}`] : [])], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: entry.env,
      ...(entry.cwd ? { cwd: entry.cwd } : {}),
    });
    pid = child.pid;
    child.on('error', (error) => log(`engine host could not start: ${error.message}`));
    return {
      send: (envelope) => {
        if (!child.connected) throw new Error('the engine host is not running');
        child.send(envelope);
      },
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => child.once('exit', (code, signal) => {
        if (pid === child.pid) pid = undefined;
        listener(code ?? (signal ? 128 : null));
      }),
      kill: () => void child.kill(),
    };
  };
  const host = new HostConnection({ start, onEvent, log });
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const method of studioMethods) {
    handlers[method] = async (input) => {
      const result = await host.call(method, input);
      if (result.ok) return result.value;
      throw new HostError(result.error);
    };
  }
  return { handlers: handlers as StudioHandlers, pid: () => pid, stop: () => host.stop() };
}
