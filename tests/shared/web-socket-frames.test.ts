// Malformed WebSocket frames on a real socket to the real web studio server: a frame over the size
// limit, invalid UTF-8 in a text frame, an unmasked client frame, and a connection reset mid-frame.
// Each bad client is disconnected (with the protocol's close code where there is one), the error
// is logged, and the server keeps answering other clients. Without the handlers, ws's error event
// has no listener and ends the whole process (every job with it).
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWebStudio, type WebStudioServer } from '../../src/cli/studio/web-server';
import { createStudioService } from '../../src/engine/host/studio-service';
import { WorkspaceHolder } from '../../src/engine/host/workspace-holder';

let temp: string;
let workspace: WorkspaceHolder;
let server: WebStudioServer;
const lines: string[] = [];

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'aptp-frames-'));
  mkdirSync(join(temp, 'renderer'));
  writeFileSync(join(temp, 'renderer', 'index.html'), '<!doctype html><title>studio</title>');
  workspace = new WorkspaceHolder(join(temp, 'workspace'));
  server = await startWebStudio({ rendererDir: join(temp, 'renderer'), handlers: createStudioService({ workspace }).handlers, logError: () => {}, logLine: (l) => lines.push(l) });
});

afterAll(async () => {
  await server.close();
  workspace.close();
  rmSync(temp, { recursive: true, force: true });
});

/** A raw TCP connection upgraded to a WebSocket on /api; resolves once the 101 answer arrived. */
function rawSocket(): Promise<{ socket: Socket; received: () => Buffer; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let upgraded = false;
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      const end = data.indexOf('\r\n\r\n');
      if (!upgraded && end >= 0) {
        upgraded = true;
        const head = data.subarray(0, end).toString();
        data = data.subarray(end + 4);
        if (!head.startsWith('HTTP/1.1 101')) reject(new Error(head));
        else resolve({ socket, received: () => data, closed });
      }
    });
    socket.write(
      [
        `GET /api?token=${server.token} HTTP/1.1`,
        `Host: 127.0.0.1:${server.port}`,
        `Origin: http://127.0.0.1:${server.port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        '',
        '',
      ].join('\r\n'),
    );
  });
}

/** A client text frame; masked unless told otherwise; `claimed` overrides the length in the header. */
function textFrame(payload: Buffer, options: { masked?: boolean; claimed?: number } = {}): Buffer {
  const masked = options.masked ?? true;
  const length = options.claimed ?? payload.length;
  const head = length < 126 ? Buffer.from([0x81, (masked ? 0x80 : 0) | length]) : Buffer.alloc(10);
  if (length >= 126) {
    head[0] = 0x81;
    head[1] = (masked ? 0x80 : 0) | 127;
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!masked) return Buffer.concat([head, payload]);
  const mask = randomBytes(4);
  return Buffer.concat([head, mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!))]);
}

/** The close code of the server's close frame, if it sent one. */
function closeCode(bytes: Buffer): number | undefined {
  return bytes.length >= 4 && (bytes[0]! & 0x0f) === 0x8 ? bytes.readUInt16BE(2) : undefined;
}

async function serverStillAnswers(): Promise<void> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, { origin: server.origin });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const answer = new Promise<string>((resolve) => ws.once('message', (d) => resolve(String(d))));
  ws.send(JSON.stringify({ kind: 'request', id: 1, method: 'ping', input: {} }));
  expect(JSON.parse(await answer)).toMatchObject({ kind: 'response', id: 1, result: { ok: true, value: { pong: true } } });
  ws.close();
}

describe('web studio under malformed WebSocket frames', () => {
  it.each([
    ['a frame over the size limit', () => textFrame(Buffer.from('x'), { claimed: 2 * 1024 * 1024 }), 1009],
    ['invalid UTF-8 in a text frame', () => textFrame(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 1007],
    ['an unmasked client frame', () => textFrame(Buffer.from('{}'), { masked: false }), 1002],
  ])('disconnects the client that sends %s and keeps serving', async (_name, frame, code) => {
    const before = lines.length;
    const { socket, received, closed } = await rawSocket();
    socket.write(frame());
    await closed;
    expect(closeCode(received())).toBe(code);
    expect(lines.slice(before).join('\n')).toMatch(/disconnected a client that broke the WebSocket protocol/);
    await serverStillAnswers();
  });

  it('survives a connection reset in the middle of a frame', async () => {
    const { socket, closed } = await rawSocket();
    socket.write(textFrame(Buffer.from('{"kind":"request"')).subarray(0, 5));
    socket.resetAndDestroy();
    await closed;
    await serverStillAnswers();
  });
});
