// The Dataset view against the desktop app's bridges, supplied as the Electron preload supplies them
// (`window.studio` and `window.studioDesktop`, on the page the real `aptp studio --web` serves):
// `window.studio` forwards every call to the real engine over the server's socket, like the
// preload's IPC, so detection and import are real. A folder dropped on the view is chosen as the
// folder browser chooses it (same listing, same detection), and imports; a file or several items
// get a message. In the web studio (no bridges) a drop explains why to use the folder browser.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { studioMethods } from '../../src/shared/studio-api';
import { collectProblems, launchChromium } from './chromium';
import { startWebStudioProcess, tearDown, type WebStudioProcess } from './web-studio-process';

let temp: string;
let studio: WebStudioProcess;
let browser: Browser;

function put(rel: string, bytes: string | Buffer): void {
  const path = join(temp, 'data', rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'aptp-e2e-dataset-desktop-'));
  for (let i = 0; i < 4; i++) {
    put(`photos/${i}.png`, await sharp({ create: { width: 300, height: 260 + i * 20, channels: 3, background: { r: 40 * i, g: 90, b: 200 } } }).png().toBuffer());
    put(`photos/${i}.txt`, `a harbour at dawn, photo ${i}`);
  }
  put('prompts/prompts.txt', 'a lighthouse\na harbour\n');
  studio = await startWebStudioProcess(join(temp, 'workspace'));
  browser = await launchChromium();
});

afterAll(() => tearDown(browser, studio, temp));

interface Supplied {
  token: string;
  methods: string[];
  paths: Record<string, string>;
}

/** The preload's two objects: the StudioApi over the server's socket (as IPC), and pathForFile. */
function installDesktopBridges({ token, methods, paths }: Supplied): void {
  const socket = new WebSocket(`ws://${location.host}/api?token=${encodeURIComponent(token)}`);
  const opened = new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
  const pending = new Map<number, (result: unknown) => void>();
  const listeners = new Set<(event: unknown) => void>();
  const calls: Array<[string, unknown]> = [];
  let next = 1;
  socket.addEventListener('message', (message: MessageEvent<string>) => {
    const m = JSON.parse(message.data) as { kind: string; id: number; result: unknown; event: string; payload: unknown };
    if (m.kind === 'event') listeners.forEach((l) => l({ event: m.event, payload: m.payload }));
    else pending.get(m.id)?.(m.result);
  });
  const api: Record<string, unknown> = {
    onEvent: (listener: (event: unknown) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  for (const method of methods) {
    api[method] = async (input?: unknown) => {
      calls.push([method, input]);
      await opened;
      const id = next++;
      socket.send(JSON.stringify({ kind: 'request', id, method, input: input ?? {} }));
      return new Promise((resolve) => pending.set(id, resolve));
    };
  }
  Object.defineProperty(window, 'studio', { value: Object.freeze(api) });
  Object.defineProperty(window, 'studioDesktop', { value: Object.freeze({ pathForFile: (file: File) => paths[file.name] ?? '' }) });
  Object.defineProperty(window, 'suppliedCalls', { value: calls });
}


/** Drops files named `names` on the view: an empty one is a folder, as Chromium hands folders over. */
async function drop(page: Page, names: Array<{ name: string; bytes?: string }>): Promise<void> {
  const data = await page.evaluateHandle((items) => {
    const transfer = new DataTransfer();
    for (const item of items) transfer.items.add(new File(item.bytes === undefined ? [] : [item.bytes], item.name, item.bytes === undefined ? {} : { type: 'text/plain' }));
    return transfer;
  }, names);
  const view = page.getByTestId('dataset-view');
  await view.dispatchEvent('dragover', { dataTransfer: data });
  await view.dispatchEvent('drop', { dataTransfer: data });
}

const detectedText = async (page: Page) => (await page.getByTestId('detection').textContent())?.trim();

describe('the dataset view in the desktop app', () => {
  it('chooses a dropped folder as the folder browser does, and imports it', async () => {
    const photos = join(temp, 'data', 'photos');
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems = collectProblems(page);
    const token = studio.url.searchParams.get('token') ?? '';
    await page.addInitScript(installDesktopBridges, { token, methods: studioMethods, paths: { photos, 'prompts.txt': join(temp, 'data', 'prompts', 'prompts.txt'), prompts: join(temp, 'data', 'prompts') } });
    await page.goto(`${studio.url.href}#/dataset`);
    const view = page.getByTestId('dataset-view');
    await view.waitFor();
    expect(await view.textContent()).toContain('Drop a dataset folder here');
    await page.getByTestId('detection').waitFor();

    await drop(page, [{ name: 'photos' }]);
    await expect.poll(() => page.getByTestId('detected-format').textContent()).toBe('image-folder');
    expect(await page.getByTestId('dir-path').inputValue()).toBe(photos);
    expect(await page.getByTestId('import-dataset').textContent()).toContain('Import this folder');
    const calls = await page.evaluate(() => (window as unknown as { suppliedCalls: Array<[string, unknown]> }).suppliedCalls);
    expect(calls.filter(([m]) => m === 'listDirectory' || m === 'detectDataset').slice(-2)).toEqual([['listDirectory', { path: photos }], ['detectDataset', { path: photos }]]);
    const dropped = await detectedText(page);

    await drop(page, [{ name: 'prompts.txt', bytes: 'a lighthouse\n' }]);
    await expect.poll(() => page.getByTestId('drop-message').textContent()).toContain('“prompts.txt” is a file');
    await drop(page, [{ name: 'photos' }, { name: 'prompts' }]);
    await expect.poll(() => page.getByTestId('drop-message').textContent()).toContain('2 items were dropped');
    expect(await page.getByTestId('dir-path').inputValue()).toBe(photos);

    await page.getByTestId('dir-up').click();
    await page.getByTestId('dir-entry-photos').click();
    await expect.poll(() => page.getByTestId('dir-path').inputValue()).toBe(photos);
    await expect.poll(() => detectedText(page)).toBe(dropped);
    expect(await page.getByTestId('drop-message').count()).toBe(0);

    await drop(page, [{ name: 'photos' }]);
    await expect.poll(() => page.getByTestId('detected-format').textContent()).toBe('image-folder');
    await page.getByTestId('import-dataset').click();
    await page.getByTestId('report-card').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('report-format').textContent()).toContain(`image-folder · ${photos}`);
    expect(await page.getByTestId('dataset-totals').textContent()).toContain('4 items · 4 usable');
    expect(await page.getByTestId('import-result').textContent()).toBe('4 checked, 0 unchanged, 0 removed');
    expect(await page.getByTestId('import-progress').getAttribute('data-phase')).toBe('done');
    await expect.poll(() => page.getByTestId('grid-cell').count(), { timeout: 20_000 }).toBe(4);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe('the dataset view in the web studio', () => {
  it('explains that a dropped folder must be chosen in the folder browser', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems = collectProblems(page);
    await page.goto(`${studio.url.href}#/dataset`);
    const view = page.getByTestId('dataset-view');
    await view.waitFor();
    await page.getByTestId('detection').waitFor();
    expect(await view.textContent()).not.toContain('Drop a dataset folder here');
    const home = await page.getByTestId('dir-path').inputValue();
    await drop(page, [{ name: 'photos' }]);
    const message = page.getByTestId('drop-message');
    await expect.poll(() => message.textContent()).toContain('This browser cannot reveal where a dropped folder is');
    expect(await message.textContent()).toContain('Choose the folder in the folder browser instead.');
    expect(page.url()).toContain('#/dataset');
    expect(await page.getByTestId('dir-path').inputValue()).toBe(home);
    expect(problems).toEqual([]);
    await page.close();
  });
});
