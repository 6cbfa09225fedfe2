// The web studio's server: the built renderer and the StudioApi (WebSocket) on 127.0.0.1 only,
// behind a random per-launch token. GET/HEAD only; strict CSP and no-sniff on every answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { studioContentSecurityPolicy } from '../../shared/csp';
import type { StudioEvent, StudioHandlers } from '../../shared/studio-api';
import type { StudioErrorLog } from '../../shared/studio-validate';
import { newToken, WebAuth } from './web-auth';
import { serveStaticFile } from './static-files';
import { WebSocketApi } from './web-socket-api';

export const WEB_HOST = '127.0.0.1';

export interface WebStudioOptions {
  readonly rendererDir: string;
  readonly handlers: StudioHandlers;
  /** Where failed requests are logged with their stacks (the client gets the error value only). */
  readonly logError: StudioErrorLog;
  /** 0 or undefined: a free port. */
  readonly port?: number;
  /** Where connection problems are logged (default stderr); they never stop the server. */
  readonly logLine?: (line: string) => void;
}

export interface WebStudioServer {
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  broadcast(event: StudioEvent): void;
  close(): Promise<void>;
}

function securityHeaders(port: number): Record<string, string> {
  return {
    'content-security-policy': studioContentSecurityPolicy([`ws://${WEB_HOST}:${port}`, `ws://localhost:${port}`]),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'x-frame-options': 'DENY',
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${port} is in use; choose another with --port, or leave it out for a free one.`) : error),
    );
    server.listen(port, WEB_HOST, () => {
      server.removeAllListeners('error');
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function handleRequest(req: IncomingMessage, res: ServerResponse, auth: WebAuth, rendererDir: string): void {
  const headers = securityHeaders(auth.port);
  const url = new URL(req.url ?? '/', `http://${WEB_HOST}`);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...headers, allow: 'GET, HEAD' }).end();
    return;
  }
  const verdict = auth.check(req, url, false);
  if (!verdict.ok) {
    res.writeHead(verdict.status, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
    res.end(`${verdict.status === 401 ? 'Unauthorized' : 'Forbidden'}: ${verdict.reason}. Open the URL that \`aptp studio --web\` printed.`);
    return;
  }
  void serveStaticFile(res, rendererDir, url.pathname, { ...headers, 'set-cookie': auth.setCookieHeader() });
}

export async function startWebStudio(options: WebStudioOptions): Promise<WebStudioServer> {
  const token = newToken();
  const server = createServer();
  const port = await listen(server, options.port ?? 0);
  const auth = new WebAuth(token, port);
  const logLine = options.logLine ?? ((line: string) => console.error(line));
  const api = new WebSocketApi(auth, options.handlers, options.logError, logLine);
  server.on('error', (error) => logLine(`studio: server error: ${error.message}`));
  server.on('clientError', (error, socket) => {
    logLine(`studio: refused a malformed request: ${error.message}`);
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  server.on('request', (req, res) => handleRequest(req, res, auth, options.rendererDir));
  server.on('upgrade', (req, socket, head) => api.upgrade(req, socket, head));
  const origin = `http://${WEB_HOST}:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    broadcast: (event) => api.broadcast(event),
    close: () =>
      new Promise<void>((resolve) => {
        api.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
