// The engine host as seen from main: a utility process running out/main/engine-host.js, so engine
// work never blocks the window; the shared HostConnection does the rest (requests, validated
// events to the windows, one 'engine-stopped' event per job of a host that died, restart on the
// next request), exactly as the web studio does with its forked host.
import { utilityProcess } from 'electron';
import { HostConnection, type HostChild } from '../shared/host-connection';
import type { StudioEventListener } from '../shared/studio-api';

export interface EngineHostOptions {
  readonly script: string;
  readonly workspace: string | undefined;
  readonly onEvent: StudioEventListener;
  readonly log: (line: string) => void;
}

function utilityHost(script: string, workspace: string | undefined): HostChild {
  const child = utilityProcess.fork(script, workspace ? [`--workspace=${workspace}`] : [], { serviceName: 'APTP engine host', stdio: 'inherit' });
  return {
    send: (envelope) => child.postMessage(envelope),
    onMessage: (listener) => child.on('message', (message: unknown) => listener(message)),
    onExit: (listener) => child.once('exit', (code) => listener(code)),
    kill: () => void child.kill(),
  };
}

export class EngineHost extends HostConnection {
  constructor(options: EngineHostOptions) {
    super({ start: () => utilityHost(options.script, options.workspace), onEvent: options.onEvent, log: options.log });
  }
}
