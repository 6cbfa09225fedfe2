// The message port between a front end and the engine host, whichever way the host was started:
// an Electron utility process (process.parentPort), a forked Node process (the web studio's; IPC
// channel, process.send) or a worker thread (parentPort). Typed structurally so the engine never
// imports Electron. A forked host exits when its parent goes away.
import { parentPort as workerPort } from 'node:worker_threads';

export interface HostPort {
  onMessage(listener: (message: unknown) => void): void;
  postMessage(message: unknown): void;
}

interface ElectronParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

/** The port this process was started with; undefined when it was started some other way. */
export function connectHostPort(): HostPort | undefined {
  const electronPort = (process as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) {
    return {
      onMessage: (listener) => electronPort.on('message', (event) => listener(event.data)),
      postMessage: (message) => electronPort.postMessage(message),
    };
  }
  if (process.send && process.connected) {
    process.on('disconnect', () => process.exit(0));
    return {
      onMessage: (listener) => process.on('message', listener),
      postMessage: (message) => void process.send?.(message),
    };
  }
  if (workerPort) {
    const port = workerPort;
    return {
      onMessage: (listener) => port.on('message', listener),
      postMessage: (message) => port.postMessage(message),
    };
  }
  return undefined;
}
