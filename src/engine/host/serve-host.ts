// Serves the StudioApi over a host port: every incoming message is validated and answered with a
// response envelope. Events travel back on the same port as event envelopes (see host-process).
import type { StudioHandlers } from '../../shared/studio-api';
import { serveStudioMessage } from '../../shared/studio-server';
import type { StudioErrorLog } from '../../shared/studio-validate';
import type { HostPort } from './host-port';

export function serveStudioHost(port: HostPort, handlers: StudioHandlers, logError: StudioErrorLog): void {
  port.onMessage((message) => {
    void serveStudioMessage(handlers, message, logError).then((response) => port.postMessage(response));
  });
}

