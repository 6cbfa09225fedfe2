// The gallery end to end: the real `aptp studio --web` in Chromium with a tiny random SD model.
// Two images generated in the Model view are kept: the gallery lists them newest first, opens one
// with every setting, and "Save as…" downloads the PNG whose text chunks (read back here) carry the
// prompt, negative prompt, seed, steps, sampler, size and model; "Reuse these settings" sends the
// Model view back with that model and those settings; the opened image survives a reload; delete
// removes it; Home lists the model among recent work and opens it with its latest settings. Writes artifacts/e2e/gallery-900.png and gallery-1600.png.
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngText } from '../../src/engine/models/sd/pipeline';
import { writeTinyFolder } from '../engine/models/sd/loader/tiny-folder';
import { collectProblems, launchChromium } from './chromium';
import { startWebStudioProcess, tearDown, type WebStudioProcess } from './web-studio-process';

const ARTIFACTS = resolve('artifacts/e2e');
let temp: string;
let model: string;
let studio: WebStudioProcess;
let browser: Browser;

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'aptp-e2e-gallery-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  model = await writeTinyFolder(join(temp, 'models', 'tiny-sd'));
  studio = await startWebStudioProcess(join(temp, 'workspace'));
  browser = await launchChromium();
});

afterAll(() => tearDown(browser, studio, temp));

async function generate(page: Page, settings: Record<string, string>): Promise<void> {
  for (const [id, value] of Object.entries(settings)) await page.getByTestId(id).fill(value);
  await page.getByTestId('generate').click();
  await expect.poll(() => page.getByTestId('step-detail').textContent(), { timeout: 60_000 }).toBe('done');
}

describe('web studio gallery', () => {
  it('keeps every generated image with its settings, saves it with them, and reuses them', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1100 }, acceptDownloads: true });
    const problems = collectProblems(page);
    await page.goto(`${studio.url.href}#/model`);
    await page.getByTestId('dir-path').fill(model);
    await page.getByTestId('open-model').click();
    await page.getByTestId('model-summary').waitFor({ timeout: 30_000 });
    await page.getByTestId('scheduler').selectOption('euler');
    await generate(page, { prompt: 'a red fox', 'negative-prompt': 'blurry', seed: '11', steps: '2', width: '32', height: '24' });
    await page.getByTestId('scheduler').selectOption('ddim');
    await generate(page, { prompt: 'a blue car', 'negative-prompt': '', seed: '12', steps: '3', width: '16', height: '16' });

    await page.getByTestId('nav-gallery').click();
    await expect.poll(() => page.getByTestId('gallery-item').count(), { timeout: 30_000 }).toBe(2);
    expect(await page.getByTestId('gallery-item').first().getAttribute('title')).toBe('a blue car');
    await page.getByTestId('gallery-item').nth(1).click();
    await page.getByTestId('detail-image').waitFor();
    expect(await page.getByTestId('detail-prompt').textContent()).toBe('a red fox');
    expect(await page.getByTestId('detail-negative').textContent()).toBe('blurry');
    expect(await page.getByTestId('detail-seed').textContent()).toBe('11');
    expect(await page.getByTestId('detail-sampler').textContent()).toBe('euler');
    expect(await page.getByTestId('detail-size').textContent()).toBe('32×24');
    expect(await page.getByTestId('detail-model').textContent()).toBe(model);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('save-as').click()]);
    expect(download.suggestedFilename()).toBe('a-red-fox-seed11.png');
    const text = readPngText(readFileSync(await download.path()));
    expect(text['parameters']).toBe('a red fox\nNegative prompt: blurry\nSteps: 2, Sampler: euler, CFG scale: 7.5, Seed: 11, Size: 32x24, Model: tiny-sd');
    expect(JSON.parse(text['aptp'] ?? '{}')).toMatchObject({ prompt: 'a red fox', negativePrompt: 'blurry', seed: 11, steps: 2, sampler: 'euler', width: 32, height: 24, model });
    await page.screenshot({ path: join(ARTIFACTS, 'gallery-1600.png'), fullPage: true });

    // The opened image survives a reload.
    await page.reload();
    await page.getByTestId('detail-image').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('detail-prompt').textContent()).toBe('a red fox');
    await page.setViewportSize({ width: 900, height: 1000 });
    await page.screenshot({ path: join(ARTIFACTS, 'gallery-900.png'), fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

    await page.getByTestId('reuse-settings').click();
    await page.getByTestId('model-summary').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('prompt').inputValue()).toBe('a red fox');
    expect(await page.getByTestId('negative-prompt').inputValue()).toBe('blurry');
    expect(await page.getByTestId('seed').inputValue()).toBe('11');
    expect(await page.getByTestId('steps').inputValue()).toBe('2');
    expect(await page.getByTestId('width').inputValue()).toBe('32');
    expect(await page.getByTestId('height').inputValue()).toBe('24');
    expect(await page.getByTestId('scheduler').inputValue()).toBe('euler');

    await page.getByTestId('nav-gallery').click();
    await page.getByTestId('gallery-item').nth(1).click();
    await page.getByTestId('delete-generation').click();
    await expect.poll(() => page.getByTestId('gallery-item').count()).toBe(1);
    expect(await page.getByTestId('generation-detail').count()).toBe(0);

    // Home lists the model among recent work with the next step; opening it brings its latest settings.
    await page.getByTestId('nav-home').click();
    await expect.poll(() => page.getByTestId('recent-model').textContent(), { timeout: 30_000 }).toBe('tiny-sd');
    expect(await page.getByTestId('next-step').textContent()).toContain('Import your image-caption dataset');
    await page.getByTestId('recent-model').click();
    await page.getByTestId('model-summary').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('prompt').inputValue()).toBe('a blue car');
    expect(problems).toEqual([]);
    await page.close();
  });
});
