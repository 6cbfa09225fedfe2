// The StudioApi over WebSocket: upgrades on /api pass the same token and Host checks as pages plus
// an Origin check; every message is parsed with the shared schemas and answered with a response
// envelope. Events are broadcast to every open socket. A client that breaks the protocol (a frame
// over the size limit, invalid UTF-8, an unmasked frame) or whose connection fails is logged and
// disconnected; no socket or server error reaches the process (it would end every job).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { StudioEvent, StudioHandlers } from '../../shared/studio-api';
import { eventEnvelope, serveStudioMessage } from '../../shared/studio-server';
import type { StudioErrorLog } from '../../shared/studio-validate';
import { parseJson } from '../../shared/studio-wire';
import type { WebAuth } from './web-auth';

export const API_PATH = '/api';
const MAX_MESSAGE_BYTES = 1 << 20;

export class WebSocketApi {
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  constructor(
    private readonly auth: WebAuth,
    private readonly handlers: StudioHandlers,
    private readonly logError: StudioErrorLog,
    private readonly logSocket: (line: string) => void = (line) => console.error(line),
  ) {
    this.#wss.on('connection', (socket) => this.#serve(socket));
    this.#wss.on('error', (error) => this.logSocket(`studio: WebSocket server error: ${error.message}`));
  }

  /** Handles an HTTP upgrade: refuses (401/403/404) or hands the socket to the API. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (error) => {
      this.logSocket(`studio: a client connection failed: ${error.message}`);
      socket.destroy();
    });
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const verdict = url.pathname === API_PATH ? this.auth.check(req, url, true) : ({ ok: false, status: 404, reason: 'not found' } as const);
    if (!verdict.ok) {
      socket.end(`HTTP/1.1 ${verdict.status} ${verdict.reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#wss.emit('connection', ws, req));
  }

  broadcast(event: StudioEvent): void {
    const text = JSON.stringify(eventEnvelope(event));
    for (const client of this.#wss.clients) if (client.readyState === client.OPEN) client.send(text);
  }

  close(): void {
    for (const client of this.#wss.clients) client.terminate();
    this.#wss.close();
  }

  #serve(socket: WebSocket): void {
    socket.on('error', (error) => {
      this.logSocket(`studio: disconnected a client that broke the WebSocket protocol: ${error.message}`);
      socket.terminate();
    });
    socket.on('message', (data, isBinary) => {
      const message = isBinary ? undefined : parseJson(String(data));
      void serveStudioMessage(this.handlers, message, this.logError).then((response) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(response));
      });
    });
  }
}
