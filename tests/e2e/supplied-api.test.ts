// The renderer against a StudioApi the test supplies as `window.studio` (exactly where the desktop
// preload puts it): the page must pick it over the WebSocket, show what it answers, and show an
// engine error as an error. Served by the real `aptp studio --web`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineInfo } from '../../src/shared/machine-info';
import type { Result } from '../../src/shared/result';
import { launchChromium } from './chromium';
import { startWebStudioProcess, tearDown, type WebStudioProcess } from './web-studio-process';

const gpuMachine: MachineInfo = {
  engineVersion: '9.9.9-test',
  onnxruntimeVersion: '1.99.0-test',
  nodeVersion: '20.20.0',
  platform: 'linux',
  arch: 'x64',
  cpuModel: 'Supplied CPU',
  cpuThreads: 64,
  intraOpThreads: 32,
  totalMemoryBytes: 256 * 1024 ** 3,
  freeMemoryBytes: 200 * 1024 ** 3,
  providers: [
    { name: 'cuda', available: true, reason: 'CUDA 12 with an H100 (80 GB).' },
    { name: 'cpu', available: true, reason: 'Always available.' },
  ],
  chosenProvider: 'cuda',
  chosenReason: 'CUDA is available, so training runs on the GPU.',
  workspaceDir: '/supplied/workspace',
  databasePath: '/supplied/workspace/studio.db',
  databaseVersion: 1,
};

let temp: string;
let studio: WebStudioProcess;
let browser: Browser;

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'aptp-e2e-api-'));
  studio = await startWebStudioProcess(join(temp, 'workspace'));
  browser = await launchChromium();
});

afterAll(() => tearDown(browser, studio, temp));

/** Opens the studio with `window.studio` answering getMachineInfo with `answer`; counts sockets opened. */
async function openWithSuppliedApi(answer: Result<MachineInfo>): Promise<{ page: Page; sockets: () => number }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  let sockets = 0;
  page.on('websocket', () => (sockets += 1));
  await page.addInitScript((result) => {
    const api = {
      ping: async () => ({ ok: true, value: { pong: true, engineTime: 0 } }),
      getMachineInfo: async () => result,
      onEvent: () => () => undefined,
    };
    Object.defineProperty(window, 'studio', { value: Object.freeze(api) });
  }, answer);
  await page.goto(studio.url.href);
  return { page, sockets: () => sockets };
}

describe('the renderer with a supplied StudioApi', () => {
  it('uses window.studio instead of the WebSocket and shows its answer', async () => {
    const { page, sockets } = await openWithSuppliedApi({ ok: true, value: gpuMachine });
    await page.getByTestId('onnxruntime-version').waitFor();
    expect(await page.getByTestId('onnxruntime-version').textContent()).toBe('1.99.0-test');
    expect(await page.getByTestId('chosen-provider').textContent()).toBe('CUDA');
    expect(await page.getByTestId('compute-summary').textContent()).toContain('will run on the GPU');
    expect(await page.getByTestId('provider-cuda-chosen').count()).toBe(1);
    expect(await page.getByTestId('memory-total').textContent()).toContain('256.0 GB');
    expect(sockets()).toBe(0);
    await page.close();
  });

  it('shows an engine error as an error, with its code', async () => {
    const failure: Result<MachineInfo> = {
      ok: false,
      error: { code: 'store-too-new', message: 'This workspace was written by a newer APTP Studio.', details: {} },
    };
    const { page } = await openWithSuppliedApi(failure);
    const alert = page.getByTestId('machine-error');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('This workspace was written by a newer APTP Studio.');
    expect(await alert.textContent()).toContain('store-too-new');
    expect(await page.getByTestId('engine-card').count()).toBe(0);
    await page.close();
  });

  it('leaves the box to the user once they are in it: a home listing answering between select-all and typing adds nothing', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.addInitScript(() => {
      const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const api = {
        ping: async () => ({ ok: true, value: { pong: true, engineTime: 0 } }),
        getMachineInfo: async () => ({ ok: false, error: { code: 'x', message: 'not needed', details: {} } }),
        listDatasets: async () => ({ ok: true, value: { datasets: [] } }),
        listJobs: async () => ({ ok: true, value: { jobs: [] } }),
        // the home folder (listed on mount) answers a second late
        listDirectory: async (input: { path?: string }) => (input.path ? { ok: false, error: { code: 'not-found', message: `no folder ${input.path}`, details: {} } } : (await wait(1000), { ok: true, value: { path: '/home/user', parent: '/', entries: [], imageFiles: 0, truncated: false } })),
        detectDataset: async () => ({ ok: false, error: { code: 'not-found', message: 'no dataset', details: {} } }),
        onEvent: () => () => undefined,
      };
      Object.defineProperty(window, 'studio', { value: Object.freeze(api) });
    });
    await page.goto(`${studio.url.href}#/dataset`);
    // what Playwright's fill does in two steps, with the late listing answering in between
    const box = page.getByTestId('dir-path');
    await box.evaluate((input: HTMLInputElement) => { input.focus(); input.select(); });
    await page.locator('[data-testid="directory-browser"][data-listed="/home/user"]').waitFor();
    await page.keyboard.insertText('/data/prompts');
    expect(await box.inputValue()).toBe('/data/prompts');
    await page.close();
  });

  it('keeps the folder the user typed when the home listing answers after it (the flaky 100k-scroll race)', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.addInitScript(() => {
      const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const listing = (path: string, entries: Array<{ name: string; kind: 'dir' | 'file' }>) => ({
        ok: true,
        value: { path, parent: '/', entries: entries.map((e) => ({ ...e, path: `${path}/${e.name}` })), imageFiles: 0, truncated: false },
      });
      const api = {
        ping: async () => ({ ok: true, value: { pong: true, engineTime: 0 } }),
        getMachineInfo: async () => ({ ok: false, error: { code: 'x', message: 'not needed', details: {} } }),
        listDatasets: async () => ({ ok: true, value: { datasets: [] } }),
        listJobs: async () => ({ ok: true, value: { jobs: [] } }),
        // The home folder (listed on mount) answers late; the folder typed answers at once.
        listDirectory: async (input: { path?: string }) => (input.path ? listing(input.path, [{ name: 'prompts.txt', kind: 'file' }]) : (await wait(1500), listing('/home/user', [{ name: 'photos', kind: 'dir' }]))),
        // The folder's own detection answers after the file picked in it.
        detectDataset: async (input: { path: string }) =>
          input.path.endsWith('.txt')
            ? { ok: true, value: { root: '/data/prompts', format: 'prompts', reason: 'a prompts file', mapping: {} } }
            : (await wait(800), { ok: false, error: { code: 'not-found', message: 'no dataset in this folder', details: {} } }),
        onEvent: () => () => undefined,
      };
      Object.defineProperty(window, 'studio', { value: Object.freeze(api) });
    });
    await page.goto(`${studio.url.href}#/dataset`);
    await page.getByTestId('dir-path').fill('/data/prompts');
    await page.getByTestId('dir-path').press('Enter');
    await page.getByTestId('dir-entry-prompts.txt').click();
    await new Promise((r) => setTimeout(r, 2000));
    expect(await page.getByTestId('dir-entry-prompts.txt').count()).toBe(1);
    expect(await page.getByTestId('dir-entry-photos').count()).toBe(0);
    expect(await page.getByTestId('dir-path').inputValue()).toBe('/data/prompts');
    expect(await page.getByTestId('detected-format').textContent()).toBe('prompts');
    await page.close();
  });
});
