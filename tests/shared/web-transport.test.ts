// The web studio's transport, against a real server on 127.0.0.1 and the real engine service over
// a temporary workspace: the token, Host and Origin checks, static files and the WebSocket API.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWebStudio, type WebStudioServer } from '../../src/cli/studio/web-server';
import { createStudioService } from '../../src/engine/host/studio-service';
import { WorkspaceHolder } from '../../src/engine/host/workspace-holder';
import { machineInfoSchema } from '../../src/shared/machine-info';
import { createStudioRpcClient, type StudioRpcClient } from '../../src/shared/studio-client';
import { parseJson } from '../../src/shared/studio-wire';

let temp: string;
let workspace: WorkspaceHolder;
let server: WebStudioServer;
const logged: Array<{ method: string; error: unknown }> = [];
const logError = (method: string, error: unknown) => logged.push({ method, error });

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'aptp-web-'));
  const renderer = join(temp, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>studio</title>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'export {};');
  writeFileSync(join(renderer, '.hidden'), 'no');
  writeFileSync(join(temp, 'secret.txt'), 'outside the root');
  workspace = new WorkspaceHolder(join(temp, 'workspace'));
  server = await startWebStudio({ rendererDir: renderer, handlers: createStudioService({ workspace }).handlers, logError });
});

afterAll(async () => {
  await server.close();
  workspace.close();
  rmSync(temp, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function openSocket(query: string, origin: string | undefined): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api${query}`, origin ? { origin } : {});
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function rpcOver(ws: WebSocket): StudioRpcClient {
  const rpc = createStudioRpcClient({ send: (envelope) => ws.send(JSON.stringify(envelope)) });
  ws.on('message', (data) => rpc.receive(parseJson(String(data))));
  return rpc;
}

describe('the web studio server', () => {
  it('listens on 127.0.0.1 and prints a URL with a long random token', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[A-Za-z0-9_-]{43}$`));
  });

  it('serves the page with the token, a strict CSP and a session cookie', async () => {
    const answer = await get(`/?token=${server.token}`);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['content-security-policy']).toContain("default-src 'none'");
    expect(answer.headers['content-security-policy']).toContain("script-src 'self'");
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(String(answer.headers['set-cookie'])).toContain('HttpOnly; SameSite=Strict');
  });

  it('serves assets to a page that holds the cookie, with their content type', async () => {
    const cookie = `aptp_studio_${server.port}=${server.token}`;
    const answer = await get('/assets/app.js', { cookie });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it.each([
    ['no token', '/'],
    ['a wrong token', '/?token=wrong'],
    ['a token one character short', () => `/?token=${server.token.slice(1)}`],
    ['an asset without token or cookie', '/assets/app.js'],
  ])('refuses %s with 401', async (_name, path) => {
    const answer = await get(typeof path === 'function' ? path() : path);
    expect(answer.status).toBe(401);
    expect(answer.body).not.toContain('<title>');
  });

  it('refuses a foreign Host header (DNS rebinding) with 403', async () => {
    expect((await get(`/?token=${server.token}`, { host: `evil.example:${server.port}` })).status).toBe(403);
  });

  it.each(['/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt', '/.hidden', '/assets/', '/missing.js'])(
    'does not serve %s',
    async (path) => {
      const answer = await get(`${path}?token=${server.token}`);
      expect(answer.status).toBe(404);
      expect(answer.body).not.toContain('outside the root');
    },
  );

  it('says in words when the chosen port is taken', async () => {
    const second = startWebStudio({ rendererDir: temp, handlers: createStudioService({ workspace }).handlers, logError, port: server.port });
    await expect(second).rejects.toThrow(`Port ${server.port} is in use`);
  });

  it('accepts only GET and HEAD', async () => {
    expect((await get(`/?token=${server.token}`, {}, 'POST')).status).toBe(405);
  });
});

describe('the WebSocket API', () => {
  it('answers typed requests from the real engine with the right token and origin', async () => {
    const ws = await openSocket(`?token=${server.token}`, server.origin);
    const rpc = rpcOver(ws);
    const ping = await rpc.api.ping();
    expect(ping.ok && ping.value.pong).toBe(true);
    const info = await rpc.api.getMachineInfo();
    expect(info.ok).toBe(true);
    if (info.ok) {
      expect(machineInfoSchema.parse(info.value).workspaceDir).toBe(join(temp, 'workspace'));
      expect(info.value.providers.some((p) => p.name === 'cpu' && p.available)).toBe(true);
    }
    ws.close();
  });

  it('carries the run endpoints: list, read, metrics, pause, cancel, resume', async () => {
    const ws = await openSocket(`?token=${server.token}`, server.origin);
    const rpc = rpcOver(ws);
    const runs = workspace.get().runs;
    const run = runs.add({ kind: 'pruneExperts' });
    workspace.get().metrics.record(run.id, [{ name: 'loss', step: 0, value: 2, wallTime: 1 }]);
    expect(await rpc.api.listRuns()).toMatchObject({ ok: true, value: { runs: [{ id: run.id, status: 'pending' }] } });
    expect(await rpc.api.getRun({ runId: run.id })).toMatchObject({ ok: true, value: { id: run.id, metricNames: ['loss'] } });
    expect(await rpc.api.runMetrics({ runId: run.id, names: ['loss'] })).toEqual({ ok: true, value: { series: [{ name: 'loss', points: [{ step: 0, value: 2, min: 2, max: 2 }], totalPoints: 1 }] } });
    expect(await rpc.api.pauseRun({ runId: run.id })).toMatchObject({ ok: true, value: { requested: true, run: { status: 'paused' } } });
    expect(await rpc.api.cancelRun({ runId: run.id })).toMatchObject({ ok: true, value: { requested: true, run: { status: 'cancelled' } } });
    expect(await rpc.api.resumeRun({ runId: run.id })).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(await rpc.call('runMetrics', { runId: run.id, names: ['loss'], maxPoints: 1 })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    ws.close();
  });

  it.each([
    ['no token', '', () => server.origin, 401],
    ['a wrong token', '?token=nope', () => server.origin, 401],
    ['a foreign origin', () => `?token=${server.token}`, () => 'http://evil.example', 403],
    ['another local port as origin', () => `?token=${server.token}`, () => `http://127.0.0.1:${server.port + 1}`, 403],
    ['no origin at all', () => `?token=${server.token}`, () => undefined, 403],
  ])('refuses an upgrade with %s', async (_name, query, origin, status) => {
    const q = typeof query === 'function' ? query() : query;
    await expect(openSocket(q, origin())).rejects.toThrow(`refused ${status}`);
  });

  it('answers malformed and invalid messages with error values and stays open', async () => {
    const ws = await openSocket(`?token=${server.token}`, server.origin);
    const replies: unknown[] = [];
    ws.on('message', (data) => replies.push(parseJson(String(data))));
    ws.send('not json');
    ws.send(JSON.stringify({ kind: 'request', id: 7, method: 'getMachineInfo', input: { extra: 1 } }));
    ws.send(JSON.stringify({ kind: 'request', id: 8, method: '__proto__', input: {} }));
    await expect.poll(() => replies.length).toBe(3);
    expect(replies).toContainEqual(expect.objectContaining({ id: 0, result: expect.objectContaining({ ok: false }) }));
    expect(replies).toContainEqual(expect.objectContaining({ id: 7, result: expect.objectContaining({ error: expect.objectContaining({ code: 'invalid-request' }) }) }));
    expect(replies).toContainEqual(expect.objectContaining({ id: 8, result: expect.objectContaining({ error: expect.objectContaining({ code: 'unknown-method' }) }) }));
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });

  it('broadcasts engine events to connected clients', async () => {
    const ws = await openSocket(`?token=${server.token}`, server.origin);
    const rpc = rpcOver(ws);
    const received = new Promise((resolve) => rpc.api.onEvent(resolve));
    const payload = { jobId: 'j1', kind: 'generateImage', done: 1, total: 4, detail: 'step 1', metrics: {} } as const;
    server.broadcast({ event: 'jobProgress', payload });
    expect(await received).toEqual({ event: 'jobProgress', payload });
    ws.close();
  });
});

describe('engine failures over the WebSocket API', () => {
  it('arrive as error values with the engine code, and are logged with their stack on the server', async () => {
    const blocker = join(temp, 'not-a-folder');
    writeFileSync(blocker, 'a file where the workspace folder should be');
    const broken = new WorkspaceHolder(blocker);
    const failing = await startWebStudio({ rendererDir: temp, handlers: createStudioService({ workspace: broken }).handlers, logError });
    const ws = new WebSocket(`ws://127.0.0.1:${failing.port}/api?token=${failing.token}`, { origin: failing.origin });
    await new Promise((done) => ws.once('open', done));
    const result = await rpcOver(ws).api.getMachineInfo();
    expect(result).toMatchObject({ ok: false, error: { code: 'io-failure', details: { dir: blocker } } });
    expect(JSON.stringify(result)).not.toContain('    at ');
    expect(logged.at(-1)?.method).toBe('getMachineInfo');
    expect((logged.at(-1)?.error as Error).stack).toContain('openWorkspace');
    ws.close();
    await failing.close();
  });
});
