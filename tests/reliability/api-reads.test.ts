// Issue 13.4: the API reads only files the user chose. importDataset on a file that is not a prompts
// file (/etc/passwd, a key without extension, a binary named .txt) is refused before any job starts,
// over the real web studio (WebSocket, token, real engine service) and through the contract's
// validation path the engine host runs for Electron IPC; nothing of the file reaches datasetItems.
// A real prompts file (.txt, or the prompts format named explicitly) still imports.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWebStudio, type WebStudioServer } from '../../src/cli/studio/web-server';
import { createStudioService } from '../../src/engine/host/studio-service';
import { WorkspaceHolder } from '../../src/engine/host/workspace-holder';
import type { Result } from '../../src/shared/result';
import type { StudioEvent, StudioInput, StudioMethod, StudioOutput } from '../../src/shared/studio-api';
import { createStudioRpcClient, type StudioRpcClient } from '../../src/shared/studio-client';
import { handleStudioRequest } from '../../src/shared/studio-validate';
import { parseJson } from '../../src/shared/studio-wire';
import { put } from '../engine/data/fixtures';
import { tempDir } from '../engine/store/helpers';

const temp = tempDir('aptp-api-reads-');
let workspace: WorkspaceHolder;
let service: ReturnType<typeof createStudioService>;
let server: WebStudioServer;
let socket: WebSocket;
let rpc: StudioRpcClient;
const events: StudioEvent[] = [];

beforeAll(async () => {
  const renderer = join(temp.dir, 'renderer');
  put(renderer, 'index.html', '<!doctype html><title>studio</title>');
  workspace = new WorkspaceHolder(join(temp.dir, 'workspace'));
  service = createStudioService({ workspace, emit: (event) => server.broadcast(event) });
  server = await startWebStudio({ rendererDir: renderer, handlers: service.handlers, logError: () => {} });
  socket = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`, { origin: server.origin });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  rpc = createStudioRpcClient({ send: (envelope) => socket.send(JSON.stringify(envelope)) });
  socket.on('message', (data) => rpc.receive(parseJson(String(data))));
  rpc.api.onEvent((e) => events.push(e));
});

afterAll(async () => {
  socket.close();
  await service.close();
  await server.close();
  workspace.close();
  temp.cleanup();
});

/** Through the contract validation and handlers, as the engine host answers IPC from main. */
const viaHost = <M extends StudioMethod>(method: M, input: StudioInput<M>) => handleStudioRequest(service.handlers, method, input) as Promise<Result<StudioOutput<M>>>;

const secretLines = ['root:x:0:0:root:/root:/bin/bash', 'daemon:x:1:1:daemon:/usr/sbin'];
const notPrompts = (): [string, string][] => [
  ['/etc/passwd', '/etc/passwd'],
  ['a key file without extension', put(temp.dir, 'keys/id_ed25519', `${secretLines.join('\n')}\n`)],
  ['a JSON file', put(temp.dir, 'conf/settings.json', '{"token":"s3cret"}\n')],
  ['a binary file named .txt', put(temp.dir, 'bin/blob.txt', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256)))],
];

async function finished(jobId: string): Promise<Extract<StudioEvent, { event: 'jobFinished' }>['payload']> {
  await expect.poll(() => events.some((e) => e.event === 'jobFinished' && e.payload.jobId === jobId), { timeout: 60_000 }).toBe(true);
  return events.find((e): e is Extract<StudioEvent, { event: 'jobFinished' }> => e.event === 'jobFinished' && e.payload.jobId === jobId)!.payload;
}

describe('the API reads only files the user chose (13.4)', () => {
  it.each(notPrompts())('refuses %s as a dataset over the web socket and over the host path, before a job starts', async (_label, path) => {
    if (!existsSync(path)) return expect(path).toBe('/etc/passwd');
    for (const answer of [await rpc.api.importDataset({ path }), await viaHost('importDataset', { path })]) {
      expect(answer.ok).toBe(false);
      if (answer.ok) continue;
      expect(answer.error.code).toBe('invalid-argument');
      expect(answer.error.message).toMatch(/prompts file/);
    }
    expect((await rpc.api.detectDataset({ path })).ok).toBe(false);
    expect(events).toEqual([]);
    const listed = await rpc.api.listDatasets();
    expect(listed.ok && listed.value.datasets).toEqual([]);
  });

  it('refuses a binary file even with the prompts format named explicitly', async () => {
    const blob = put(temp.dir, 'bin/model.onnx', Buffer.from([8, 0, 18, 4, 0, 0, 1, 2, 0, 0]));
    const answer = await viaHost('importDataset', { path: blob, format: 'prompts' });
    expect(answer.ok || answer.error.message).toMatch(/NUL bytes/);
  });

  it('imports a real prompts file, and a text file named explicitly as prompts, whose lines datasetItems returns', async () => {
    const txt = put(temp.dir, 'prompts/castles.txt', 'a castle at dusk\na bowl of fruit\n');
    const named = put(temp.dir, 'prompts/PROMPTS', 'a red fox in snow\n');
    for (const [path, format, lines] of [[txt, undefined, ['a castle at dusk', 'a bowl of fruit']], [named, 'prompts', ['a red fox in snow']]] as const) {
      const started = await rpc.api.importDataset({ path, ...(format ? { format } : {}) });
      if (!started.ok) throw new Error(started.error.message);
      const end = await finished(started.value.jobId);
      if (end.kind !== 'importDataset' || !end.result.ok) throw new Error(JSON.stringify(end));
      const items = await rpc.api.datasetItems({ datasetId: end.result.value.datasetId, offset: 0, limit: 10 });
      expect(items.ok && items.value.items.map((i) => i.caption)).toEqual(lines);
    }
  });
});
