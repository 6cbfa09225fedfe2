// The Model view against the desktop app's bridges, supplied as the Electron preload supplies them
// (`window.studio` and `window.studioDesktop`, served by the real `aptp studio --web` page): a folder
// dropped on the window is opened by the path the preload names, and a job whose events arrive
// before the request that started it has answered (IPC does not order the two) still shows its
// step counter and image. The summary and image are real engine output on a tiny SD folder.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectModel } from '../../src/engine/host/model-inspect';
import type { ModelSummary } from '../../src/shared/studio-model';
import { writeTinyFolder } from '../engine/models/sd/loader/tiny-folder';
import { launchChromium } from './chromium';
import { startWebStudioProcess, tearDown, type WebStudioProcess } from './web-studio-process';

let temp: string;
let model: string;
let summary: ModelSummary;
let png: string;
let studio: WebStudioProcess;
let browser: Browser;

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'aptp-e2e-desktop-'));
  model = await writeTinyFolder(join(temp, 'tiny-sd'));
  summary = await inspectModel(model);
  png = (await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 200, g: 60, b: 90 } } }).png().toBuffer()).toString('base64');
  studio = await startWebStudioProcess(join(temp, 'workspace'));
  browser = await launchChromium();
});

afterAll(() => tearDown(browser, studio, temp));

interface Supplied {
  summary: ModelSummary;
  model: string;
  png: string;
}

/** The desktop bridges as the preload exposes them; records the calls the page makes. */
function installDesktopBridges({ summary, model, png }: Supplied): void {
  const listeners = new Set<(event: unknown) => void>();
  const calls: Array<[string, unknown]> = [];
  const emit = (event: unknown) => listeners.forEach((l) => l(event));
  const api = {
    listDirectory: async () => ({ ok: true, value: { path: '/home', parent: '/', entries: [], imageFiles: 0, truncated: false } }),
    inspectModel: async (input: { dir: string }) => {
      calls.push(['inspectModel', input]);
      return input.dir === model ? { ok: true, value: summary } : { ok: false, error: { code: 'not-found', message: `${input.dir} is not a model`, details: {} } };
    },
    generateImage: async (input: unknown) => {
      calls.push(['generateImage', input]);
      const jobId = 'job-1';
      emit({ event: 'jobProgress', payload: { jobId, kind: 'generateImage', done: 1, total: 2, detail: 'step 1/2', metrics: {} } });
      emit({ event: 'jobProgress', payload: { jobId, kind: 'generateImage', done: 2, total: 2, detail: 'decoding the image', metrics: {} } });
      const value = { dataUrl: `data:image/png;base64,${png}`, width: 16, height: 16, seed: 3, steps: 2, scheduler: 'pndm', elapsedMs: 5 };
      emit({ event: 'jobFinished', payload: { jobId, kind: 'generateImage', result: { ok: true, value } } });
      return { ok: true, value: { jobId } };
    },
    cancelJob: async () => ({ ok: true, value: { cancelled: false } }),
    listJobs: async () => ({ ok: true, value: { jobs: [] } }),
    // the shell's jobs panel lists the workspace's runs on every view
    listRuns: async () => ({ ok: true, value: { runs: [] } }),
    onEvent: (listener: (event: unknown) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  Object.defineProperty(window, 'studio', { value: Object.freeze(api) });
  Object.defineProperty(window, 'studioDesktop', { value: Object.freeze({ pathForFile: (file: File) => (file.name === 'tiny-sd' ? model : `/elsewhere/${file.name}`) }) });
  Object.defineProperty(window, 'suppliedCalls', { value: calls });
}

describe('the model view in the desktop app', () => {
  it('opens a dropped folder and shows a job whose events came before its id', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.addInitScript(installDesktopBridges, { summary, model, png });
    await page.goto(`${studio.url.href}#/model`);
    const view = page.getByTestId('model-view');
    await view.waitFor();
    expect(await view.textContent()).toContain('Drop a model folder here');
    const drop = await page.evaluateHandle(() => {
      const data = new DataTransfer();
      data.items.add(new File(['{}'], 'tiny-sd'));
      return data;
    });
    await view.dispatchEvent('dragover', { dataTransfer: drop });
    await view.dispatchEvent('drop', { dataTransfer: drop });
    await page.getByTestId('model-summary').waitFor();
    expect(await page.evaluate(() => (window as unknown as { suppliedCalls: unknown[] }).suppliedCalls)).toEqual([['inspectModel', { dir: model }]]);

    await page.getByTestId('steps').fill('2');
    await page.getByTestId('generate').click();
    await expect.poll(() => page.getByTestId('step-counter').textContent()).toBe('Step 2 / 2');
    const image = page.getByTestId('generated-image');
    await image.waitFor();
    expect(await image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(16);
    expect(await page.getByTestId('step-detail').textContent()).toBe('done');
    expect(await page.getByTestId('generate').isEnabled()).toBe(true);
    const calls = await page.evaluate(() => (window as unknown as { suppliedCalls: Array<[string, Record<string, unknown>]> }).suppliedCalls);
    expect(calls[1]).toEqual(['generateImage', expect.objectContaining({ dir: model, steps: 2, width: 16, height: 16, negativePrompt: '' })]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
