// The Dataset view as a daily tool, end to end (the real `aptp studio --web` in Chromium): a
// folder whose only metadata is nested is not imported as something else (the engine's choices
// are buttons); two datasets are imported and switched between with the picker; the dataset,
// filter and search survive navigation and a reload; an item opens in a detail view (a duplicate
// beside its first-seen original) and is excluded; a histogram bar filters; a search with no match
// says so; the cleaned subset is exported (a non-empty folder refused); a dataset is renamed and
// deleted without touching its files. Screenshots at 1600 and 900 px in artifacts/e2e/.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectProblems, launchChromium, openDatasetFolder } from './chromium';
import { startWebStudioProcess, tearDown, type WebStudioProcess } from './web-studio-process';

const ARTIFACTS = resolve('artifacts/e2e');
let temp: string;
let studio: WebStudioProcess;
let browser: Browser;
const data = (rel = '') => join(temp, 'data', rel);

function put(rel: string, bytes: string | Buffer): void {
  mkdirSync(dirname(data(rel)), { recursive: true });
  writeFileSync(data(rel), bytes);
}

async function writeData(): Promise<void> {
  const image = (w: number, h: number, r: number) => sharp({ create: { width: w, height: h, channels: 3, background: { r, g: 90, b: 255 - r } } }).png().toBuffer();
  for (let i = 0; i < 4; i++) {
    put(`cats/cat${i}.png`, await image(300 + i * 100, 300, i * 50));
    put(`cats/cat${i}.txt`, `a cat sitting on a mat, photo ${i}`);
  }
  put('cats/zz-copy.png', await image(300, 300, 0));
  put('cats/zz-copy.txt', 'the first cat again');
  put('cats/small.png', await image(100, 100, 200));
  put('cats/small.txt', 'a tiny cat');
  put('dogs/dog.png', await image(320, 320, 120));
  put('dogs/dog.txt', 'a dog');
  put('outer/inner/metadata.jsonl', '{"file_name": "x.png", "text": "a nested picture"}\n');
  put('outer/inner/x.png', await image(300, 300, 30));
  put('many/prompts.txt', Array.from({ length: 1_000_000 }, (_, i) => `prompt ${i}`).join('\n'));
}

async function importFolder(page: Page, path: string): Promise<void> {
  await openDatasetFolder(page, path);
  await expect.poll(() => page.getByTestId('detected-format').textContent(), { timeout: 20_000 }).toBeTruthy();
  await page.getByTestId('import-dataset').click();
  await expect.poll(() => page.getByTestId('import-progress').getAttribute('data-phase'), { timeout: 60_000 }).toBe('done');
}

const total = (page: Page) => page.getByTestId('grid-total').textContent();

/** Picks a dataset by name (by index would hit the "Choose a dataset…" placeholder shown while none is open yet). */
async function chooseDataset(page: Page, name: string): Promise<void> {
  const option = page.getByTestId('dataset-select').locator('option', { hasText: new RegExp(`^${name} · `) });
  await page.getByTestId('dataset-select').selectOption((await option.getAttribute('value')) ?? '');
}

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'aptp-e2e-dataset-manage-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  await writeData();
  studio = await startWebStudioProcess(join(temp, 'workspace'));
  browser = await launchChromium();
});

afterAll(() => tearDown(browser, studio, temp));

describe('web studio: datasets managed and curated', () => {
  it('asks instead of importing a folder whose only metadata is nested', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const problems = collectProblems(page);
    await page.goto(`${studio.url.href}#/dataset`);
    await openDatasetFolder(page, data('outer'));
    await expect.poll(() => page.getByTestId('detection-none').textContent()).toMatch(/holds no metadata of its own, but inner\/metadata\.jsonl describes the images in inner\//);
    expect(await page.getByTestId('import-choice').allTextContents()).toEqual(['Import inner (its metadata.jsonl)', 'Import this folder as hf-imagefolder anyway']);
    await page.getByTestId('import-choice').first().click();
    await expect.poll(() => page.getByTestId('detected-format').textContent()).toBe('hf-imagefolder');
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('switches datasets, remembers the dataset, filter and search across navigation and reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const problems = collectProblems(page);
    await page.goto(`${studio.url.href}#/dataset`);
    await importFolder(page, data('cats'));
    await importFolder(page, data('dogs'));
    await expect.poll(() => page.getByTestId('report-format').textContent()).toMatch(/^dogs · image-folder/);
    const options = await page.getByTestId('dataset-select').locator('option').allTextContents();
    expect(options.map((o) => o.split(' · ')[0])).toEqual(['cats', 'dogs']);
    await chooseDataset(page, 'cats');
    await expect.poll(() => page.getByTestId('report-format').textContent()).toMatch(/^cats · /);
    await page.getByTestId('filter-too-small').click();
    await expect.poll(() => total(page)).toBe('1 item(s) · too-small');

    await page.evaluate(() => (location.hash = '/home'));
    await page.getByTestId('dataset-view').waitFor({ state: 'detached' });
    await page.evaluate(() => (location.hash = '/dataset'));
    await expect.poll(() => total(page)).toBe('1 item(s) · too-small');
    expect(await page.getByTestId('report-format').textContent()).toMatch(/^cats · /);

    await page.getByTestId('filter-all').click();
    await page.getByTestId('caption-search').fill('cat3');
    await expect.poll(() => total(page)).toBe('1 item(s)');
    await page.reload();
    await expect.poll(() => total(page), { timeout: 20_000 }).toBe('1 item(s)');
    expect(await page.getByTestId('caption-search').inputValue()).toBe('cat3');
    expect(await page.getByTestId('report-format').textContent()).toMatch(/^cats · /);
    await page.getByTestId('caption-search').fill('no such thing');
    await expect.poll(() => page.getByTestId('no-results').textContent()).toMatch(/No items match “no such thing”/);
    await page.getByTestId('clear-filters').click();
    await expect.poll(() => total(page)).toBe('6 item(s)');
    expect(problems).toEqual([]);
    await page.close();
  }, 240_000);

  it('opens an item in detail (a duplicate beside its original), excludes it, filters by a histogram bar, and exports the cleaned subset', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const problems = collectProblems(page);
    await page.goto(`${studio.url.href}#/dataset`);
    await chooseDataset(page, 'cats');
    await expect.poll(() => page.getByTestId('report-format').textContent()).toMatch(/^cats · /);
    await page.getByTestId('filter-duplicate').click();
    await expect.poll(() => total(page)).toBe('1 item(s) · duplicate');
    await page.getByTestId('grid-cell').first().click();
    await expect.poll(() => page.getByTestId('detail-key').textContent()).toBe('zz-copy.png');
    expect(await page.getByTestId('detail-original').textContent()).toContain('Original (first seen): cat0.png');
    expect(await page.getByTestId('detail-reason').textContent()).toMatch(/the same image as cat0\.png, seen first/);
    expect(await page.getByTestId('detail-file').textContent()).toBe(data('cats/zz-copy.png'));
    await page.getByTestId('detail-image').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'dataset-detail-1600.png'), fullPage: true });

    await page.getByTestId('filter-all').click();
    await page.getByTestId('caption-search').fill('cat1.png');
    await expect.poll(() => total(page)).toBe('1 item(s)');
    await page.getByTestId('grid-cell').first().click();
    await expect.poll(() => page.getByTestId('detail-key').textContent()).toBe('cat1.png');
    await page.getByTestId('detail-exclude').click();
    await expect.poll(() => page.getByTestId('count-excluded').textContent()).toBe('1');
    await expect.poll(() => page.getByTestId('detail-exclude').textContent()).toMatch(/Include again/);
    await page.getByTestId('detail-close').click();
    await page.getByTestId('caption-search').fill('');
    await page.getByTestId('size-histogram-bar-0').click();
    await expect.poll(() => total(page)).toBe('1 item(s) · 0–128 px');

    await page.getByTestId('export-target').fill(join(temp, 'clean'));
    await page.getByTestId('export-dataset').click();
    await expect.poll(() => page.getByTestId('export-result').textContent(), { timeout: 60_000 }).toMatch(/^3 image\(s\) with captions written to .*clean; 1 excluded item\(s\) left out/);
    expect(readdirSync(join(temp, 'clean')).sort()).toEqual(['cat0.png', 'cat0.txt', 'cat2.png', 'cat2.txt', 'cat3.png', 'cat3.txt']);
    await page.getByTestId('export-dataset').click();
    await expect.poll(() => page.getByTestId('export-progress-status').textContent()).toMatch(/is not empty \(6 entries\)/);
    expect(problems).toEqual([]);
    await page.close();
  }, 240_000);

  it('keeps a running import visible with progress and Cancel after navigating away and after a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const problems = collectProblems(page);
    await page.goto(`${studio.url.href}#/dataset`);
    await openDatasetFolder(page, data('many'));
    await page.getByTestId('dir-entry-prompts.txt').click();
    await expect.poll(() => page.getByTestId('detected-format').textContent()).toBe('prompts');
    await page.getByTestId('import-dataset').click();
    await expect.poll(() => page.getByTestId('import-progress-count').textContent(), { timeout: 60_000 }).toMatch(/^[\d,]+ \/ 1,000,000$/);
    await page.evaluate(() => (location.hash = '/home'));
    await page.getByTestId('dataset-view').waitFor({ state: 'detached' });
    await page.evaluate(() => (location.hash = '/dataset'));
    expect(await page.getByTestId('import-progress').getAttribute('data-phase')).toBe('running');
    await page.reload();
    await expect.poll(() => page.getByTestId('import-progress-count').textContent(), { timeout: 30_000 }).toMatch(/^[\d,]+ \/ 1,000,000$/);
    await page.getByTestId('import-progress-cancel').click();
    await expect.poll(() => page.getByTestId('import-progress').getAttribute('data-phase'), { timeout: 30_000 }).toBe('cancelled');
    expect(problems).toEqual([]);
    await page.close();
  }, 240_000);

  it('renames and deletes datasets, never their files, and fits a 900 px window', async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
    const problems = collectProblems(page);
    await page.goto(`${studio.url.href}#/dataset`);
    await chooseDataset(page, 'dogs');
    await expect.poll(() => page.getByTestId('report-format').textContent()).toMatch(/^dogs · /);
    await page.getByTestId('dataset-rename').click();
    await page.getByTestId('dataset-new-name').fill('hounds');
    await page.getByTestId('dataset-rename-save').click();
    await expect.poll(async () => (await page.getByTestId('dataset-select').locator('option').allTextContents()).map((o) => o.split(' · ')[0])).toEqual(['cats', 'hounds', 'prompts.txt']);
    await page.getByTestId('dataset-delete').click();
    expect(await page.getByTestId('dataset-delete').textContent()).toBe('Click again to delete');
    await page.getByTestId('dataset-delete').click();
    await expect.poll(() => page.getByTestId('dataset-manage-message').textContent()).toMatch(/Deleted “hounds” from the workspace .* its folder was not touched/);
    await expect.poll(async () => (await page.getByTestId('dataset-select').locator('option').allTextContents()).map((o) => o.split(' · ')[0])).toEqual(['cats', 'prompts.txt']);
    expect(existsSync(data('dogs/dog.png'))).toBe(true);
    await expect.poll(() => page.getByTestId('report-format').textContent()).toMatch(/^cats · /);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'dataset-manage-900.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 240_000);
});
