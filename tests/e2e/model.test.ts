// The Model view end to end: the real `aptp studio --web` in Chromium on a tiny random SD model
// folder (diffusers layout, written by the loader tests' helper). Choose it in the engine's folder
// browser, read the architecture summary, generate a 2-step image with its step counter (kept when
// the user leaves the view and returns, and the model and settings across a reload), find a long run again after a reload and cancel it, and see
// the loader's actionable errors for a folder that is not a model, an SDXL UNet and an SDXL
// single-file checkpoint. No CSP violation or console error. Writes artifacts/e2e/model.png.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectModel } from '../../src/engine/host/model-inspect';
import { writeSafetensors } from '../../src/engine/weights';
import { formatCount } from '../../src/renderer/lib/format';
import type { ModelSummary } from '../../src/shared/studio-model';
import { writeTinyFolder } from '../engine/models/sd/loader/tiny-folder';
import { collectProblems, launchChromium } from './chromium';
import { startWebStudioProcess, tearDown, type WebStudioProcess } from './web-studio-process';

const ARTIFACTS = resolve('artifacts/e2e');
let temp: string;
let models: string;
let expected: ModelSummary;
let studio: WebStudioProcess;
let browser: Browser;

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'aptp-e2e-model-'));
  models = join(temp, 'models');
  mkdirSync(ARTIFACTS, { recursive: true });
  expected = await inspectModel(await writeTinyFolder(join(models, 'tiny-sd')));
  const xl = await writeTinyFolder(join(models, 'sdxl-like'));
  const config = JSON.parse(readFileSync(join(xl, 'unet', 'config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(xl, 'unet', 'config.json'), JSON.stringify({ ...config, addition_embed_type: 'text_time' }));
  await writeSafetensors(join(models, 'sdxl-base.safetensors'), [{ name: 'conditioner.embedders.1.model.positional_embedding', dtype: 'F32', shape: [1], data: new Float32Array(1) }]);
  mkdirSync(join(models, 'photos'));
  writeFileSync(join(models, 'photos', 'caption.txt'), 'not a model');
  studio = await startWebStudioProcess(join(temp, 'workspace'));
  browser = await launchChromium();
});

afterAll(() => tearDown(browser, studio, temp));


async function openModelFolder(page: Page, name: string): Promise<void> {
  await page.getByTestId('dir-path').fill(models);
  await page.getByTestId('dir-path').press('Enter');
  await page.getByTestId(`dir-entry-${name}`).click();
  await expect.poll(() => page.getByTestId('dir-path').inputValue()).toBe(join(models, name));
  await page.getByTestId('open-model').click();
}

async function fillSettings(page: Page, settings: Record<string, string>): Promise<void> {
  for (const [id, value] of Object.entries(settings)) await page.getByTestId(id).fill(value);
}

describe('web studio model view', () => {
  it('opens a model from the folder browser, summarises it and generates a 2-step image', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
    const problems = collectProblems(page);
    await page.goto(`${studio.url.href}#/model`);
    await page.getByTestId('model-view').waitFor();
    await openModelFolder(page, 'tiny-sd');
    await page.getByTestId('model-summary').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('summary-total-params').textContent()).toBe(formatCount(expected.totalParams));
    expect(await page.getByTestId('summary-macs').textContent()).toBe(formatCount(expected.unet.macs.total));
    expect(await page.getByTestId('component-unet').textContent()).toContain(expected.unet.params.toLocaleString('en-US'));
    expect(await page.getByTestId('gate-row').count()).toBe(expected.unet.blocks.length);
    expect(await page.getByTestId('width').inputValue()).toBe('16');
    expect(await page.getByTestId('model-scheduler').textContent()).toContain('Scheduler PNDMScheduler (pndm) · epsilon prediction · native 16×16 px');

    await fillSettings(page, { prompt: 'a a a', 'negative-prompt': '!', seed: '7', steps: '2', guidance: '7.5', width: '64', height: '64' });
    await page.getByTestId('scheduler').selectOption('ddim');
    await page.getByTestId('generate').click();
    await page.getByTestId('step-counter').waitFor();
    await expect.poll(() => page.getByTestId('step-counter').textContent(), { timeout: 60_000 }).toBe('Step 2 / 2');
    const image = page.getByTestId('generated-image');
    await image.waitFor({ timeout: 60_000 });
    expect(await image.evaluate((img: HTMLImageElement) => [img.complete, img.naturalWidth, img.naturalHeight])).toEqual([true, 64, 64]);
    expect(await page.getByTestId('image-caption').textContent()).toContain('64×64 · seed 7 · 2 steps · ddim');
    await page.screenshot({ path: join(ARTIFACTS, 'model.png'), fullPage: true });
    // Leaving the view and coming back keeps the model, the settings and the image.
    await page.evaluate(() => (window.location.hash = '/dataset'));
    await page.getByTestId('dataset-view').waitFor();
    await page.evaluate(() => (window.location.hash = '/model'));
    await page.getByTestId('generated-image').waitFor();
    expect(await page.getByTestId('summary-total-params').textContent()).toBe(formatCount(expected.totalParams));
    expect(await page.getByTestId('seed').inputValue()).toBe('7');
    // A reload keeps the model (opened again), the settings and the folder the browser showed.
    await page.reload();
    await page.getByTestId('model-summary').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('summary-total-params').textContent()).toBe(formatCount(expected.totalParams));
    expect(await page.getByTestId('seed').inputValue()).toBe('7');
    expect(await page.getByTestId('width').inputValue()).toBe('64');
    expect(await page.getByTestId('negative-prompt').inputValue()).toBe('!');
    expect(await page.getByTestId('scheduler').inputValue()).toBe('ddim');
    expect(await page.getByTestId('dir-path').inputValue()).toBe(join(models, 'tiny-sd'));
    expect(problems).toEqual([]);
    await page.close();
  });

  it('finds a long generation again after a reload and cancels it', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems = collectProblems(page);
    await page.goto(`${studio.url.href}#/model`);
    await openModelFolder(page, 'tiny-sd');
    await page.getByTestId('model-summary').waitFor({ timeout: 30_000 });
    await fillSettings(page, { steps: '500', width: '16', height: '16' });
    await page.getByTestId('generate').click();
    const step = async (): Promise<number> => Number(/Step (\d+)/.exec((await page.getByTestId('step-counter').textContent()) ?? '')?.[1] ?? 0);
    await expect.poll(step, { timeout: 60_000 }).toBeGreaterThan(0);
    await page.reload();
    await page.getByTestId('step-counter').waitFor({ timeout: 30_000 });
    const seen = await step();
    await expect.poll(step, { timeout: 60_000 }).toBeGreaterThan(seen);
    await page.getByTestId('cancel-generation').click();
    await expect.poll(() => page.getByTestId('generation-error').textContent(), { timeout: 60_000 }).toBe('Cancelled.');
    expect(await page.getByTestId('generated-image').count()).toBe(0);
    expect(await page.getByTestId('step-detail').textContent()).toBe('stopped');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows what to do for a folder that is not a model, an SDXL UNet and an SDXL checkpoint', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems = collectProblems(page);
    await page.goto(`${studio.url.href}#/model`);
    await openModelFolder(page, 'photos');
    await expect.poll(() => page.getByTestId('model-error').textContent(), { timeout: 30_000 }).toContain('is not a Stable Diffusion model: it has no model_index.json');
    // The server log has one line for it, no stack, and never the folder's contents.
    const logged = studio.output.join('\n').split('\n').filter((l) => l.includes('inspectModel'));
    expect(logged).toEqual([`engine host: inspectModel failed [not-found]: ${join(models, 'photos')} is not a Stable Diffusion model: it has no model_index.json. Choose a diffusers folder (as saved by save_pretrained) or a single-file .safetensors checkpoint.`]);
    expect(studio.output.join('\n')).not.toMatch(/caption\.txt|^\s+at /m);
    expect(await page.getByTestId('model-summary').count()).toBe(0);
    expect(await page.getByTestId('generate-card').count()).toBe(0);
    await openModelFolder(page, 'sdxl-like');
    await expect.poll(() => page.getByTestId('model-error').textContent(), { timeout: 30_000 }).toMatch(/this is an SDXL UNet.*supported: SD 1\.x and SD 2\.x/);
    // A single-file checkpoint is opened by typing its path (the browser lists folders).
    await page.getByTestId('dir-path').fill(join(models, 'sdxl-base.safetensors'));
    expect(await page.getByTestId('open-model').textContent()).toContain('Open this checkpoint as the model');
    // Enter in the box opens the file as the model (it is not listed as a folder, and says nothing of folders).
    await page.getByTestId('dir-path').press('Enter');
    await expect.poll(() => page.getByTestId('model-error').textContent(), { timeout: 30_000 }).toContain('an SDXL checkpoint');
    expect(await page.getByTestId('dir-error').count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'model-error.png') });
    expect(problems).toEqual([]);
    await page.close();
  });
});
