// The StudioApi over the web studio's WebSocket: same envelopes and validation as every other
// transport (shared/studio-client). Resolves once the socket is open; refusals become errors.
import type { StudioApi } from '../../../shared/studio-api';
import { createStudioRpcClient } from '../../../shared/studio-client';
import { parseJson } from '../../../shared/studio-wire';

export function webSocketUrl(location: Location, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api?token=${encodeURIComponent(token)}`;
}

export function connectWebSocketStudio(url: string): Promise<StudioApi> {
  const socket = new WebSocket(url);
  const rpc = createStudioRpcClient({
    send: (envelope) => socket.send(JSON.stringify(envelope)),
    onInvalid: (problem) => console.warn(`studio: ignored a message from the server (${problem})`),
  });
  socket.addEventListener('message', (event) => rpc.receive(typeof event.data === 'string' ? parseJson(event.data) : undefined));
  socket.addEventListener('close', () => rpc.disconnect('The connection to the studio server was closed. Restart `aptp studio --web` and reload.'));
  return new Promise((resolve, reject) => {
    socket.addEventListener('open', () => resolve(rpc.api), { once: true });
    socket.addEventListener('error', () => reject(new Error('The studio server refused the connection. Open the URL that `aptp studio --web` printed.')), { once: true });
  });
}
