// The Dataset view end to end: the real `aptp studio --web` in Chromium. Choose a folder in the
// engine's folder browser, see the detected format, import, read the validation report, filter by
// problem, search captions and see thumbnails in the grid, prepare latents and caption states with
// a tiny diffusers folder (progress shown); then a 100k-prompt file imports with a live progress
// bar and scrolls to its last item with only a screenful of cells in the DOM; a 1M-prompt import
// is cancelled from its progress bar. No CSP violation or console error.
// Writes artifacts/e2e/dataset.png.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectProblems, launchChromium, openDatasetFolder } from './chromium';
import { writeTinyFolder } from '../engine/models/sd/loader/tiny-folder';
import { startWebStudioProcess, tearDown, type WebStudioProcess } from './web-studio-process';

const ARTIFACTS = resolve('artifacts/e2e');
const PROMPTS = 100_000;
let temp: string;
let studio: WebStudioProcess;
let browser: Browser;

function put(rel: string, bytes: string | Buffer): void {
  const path = join(temp, 'data', rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

async function writeData(): Promise<void> {
  const image = (w: number, h: number, r: number) => sharp({ create: { width: w, height: h, channels: 3, background: { r, g: 120, b: 255 - r } } }).jpeg().toBuffer();
  for (let i = 0; i < 8; i++) {
    put(`photos/${i}.jpg`, await image(300 + i * 40, 300, i * 30));
    put(`photos/${i}.txt`, i % 2 ? `a red fox in the snow, photo ${i}` : `a lighthouse at dusk, photo ${i}`);
  }
  put('photos/small.jpg', await image(64, 64, 250));
  put('photos/small.txt', 'a tiny thumbnail');
  put('photos/broken.jpg', (await image(300, 300, 10)).subarray(0, 400));
  put('photos/broken.txt', 'a broken file');
  put('photos/uncaptioned.jpg', await image(320, 320, 77));
  await writeTinyFolder(join(temp, 'model'));
  put('huge/prompts.txt', Array.from({ length: 1_000_000 }, (_, i) => `prompt ${i}`).join('\n'));
  put('prompts/prompts.txt', Array.from({ length: PROMPTS }, (_, i) => `prompt number ${i + 1}: a watercolor of a harbour`).join('\n'));
}


beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'aptp-e2e-dataset-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  await writeData();
  studio = await startWebStudioProcess(join(temp, 'workspace'));
  browser = await launchChromium();
});

afterAll(() => tearDown(browser, studio, temp));

describe('web studio dataset view', () => {
  it('imports a folder chosen in the folder browser and shows the report and the grid', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems = collectProblems(page);
    await page.goto(`${studio.url.href}#/dataset`);
    await page.getByTestId('dataset-view').waitFor();
    await openDatasetFolder(page, join(temp, 'data'));
    await page.getByTestId('dir-entry-photos').click();
    await expect.poll(() => page.getByTestId('detected-format').textContent()).toBe('image-folder');
    await page.getByTestId('import-dataset').click();
    await page.getByTestId('report-card').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('dataset-totals').textContent()).toContain('11 items · 8 usable');
    expect(await page.getByTestId('count-ok').textContent()).toBe('8');
    expect(await page.getByTestId('count-corrupt').textContent()).toBe('1');
    expect(await page.getByTestId('count-too-small').textContent()).toBe('1');
    expect(await page.getByTestId('count-missing-caption').textContent()).toBe('1');
    expect(await page.getByTestId('caption-histogram').locator('rect.bar').count()).toBe(9);
    await expect.poll(() => page.getByTestId('grid-thumb').count(), { timeout: 20_000 }).toBe(10);
    expect(await page.getByTestId('grid-cell').count()).toBe(11);

    await page.getByTestId('filter-corrupt').click();
    await expect.poll(() => page.getByTestId('grid-total').textContent()).toBe('1 item(s) · corrupt');
    expect(await page.getByTestId('grid-cell').first().textContent()).toContain('broken.jpg');
    await page.getByTestId('filter-all').click();
    await page.getByTestId('caption-search').fill('red fox');
    await expect.poll(() => page.getByTestId('grid-total').textContent()).toBe('4 item(s)');
    const captions = await page.getByTestId('grid-caption').allTextContents();
    expect(captions.every((c) => c.includes('red fox'))).toBe(true);

    await page.getByTestId('prepare-model').fill(join(temp, 'model'));
    await page.getByTestId('prepare-resolution').fill('64');
    await page.getByTestId('prepare-dataset').click();
    await page.getByTestId('prepare-result').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('prepare-progress-count').textContent()).toBe('8 / 8');
    expect(await page.getByTestId('prepare-latents').textContent()).toBe('8 new, 0 cached');
    await page.screenshot({ path: join(ARTIFACTS, 'dataset.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('scrolls a 100k-item dataset to its last item with a bounded DOM', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems = collectProblems(page);
    await page.goto(`${studio.url.href}#/dataset`);
    await openDatasetFolder(page, join(temp, 'data', 'prompts'));
    await page.getByTestId('dir-entry-prompts.txt').click();
    await expect.poll(() => page.getByTestId('detected-format').textContent()).toBe('prompts');
    await page.getByTestId('import-dataset').click();
    const seen = new Set<string>();
    await expect.poll(async () => {
      seen.add((await page.getByTestId('import-progress-count').textContent())?.trim() ?? '');
      return page.getByTestId('import-progress').getAttribute('data-phase');
    }, { timeout: 90_000, interval: 50 }).toBe('done');
    // The last count and 'done' can render together, between the two reads of the poll above.
    seen.add((await page.getByTestId('import-progress-count').textContent())?.trim() ?? '');
    const counts = [...seen].filter((c) => /^[\d,]+ \/ 100,000$/.test(c));
    expect(counts.at(-1)).toBe('100,000 / 100,000');
    expect(counts.length).toBeGreaterThan(1);
    await expect.poll(() => page.getByTestId('grid-total').textContent(), { timeout: 90_000 }).toBe(`${PROMPTS} item(s)`);
    const grid = page.getByTestId('item-grid');
    const frames = await grid.evaluate(async (el) => {
      const times: number[] = [];
      for (let i = 0; i < 60; i++) {
        el.scrollTop += 4000;
        const t0 = performance.now();
        await new Promise((r) => requestAnimationFrame(() => r(undefined)));
        times.push(performance.now() - t0);
      }
      el.scrollTop = el.scrollHeight;
      return times;
    });
    console.log(`dataset grid: median frame ${frames.sort((a, b) => a - b)[30]?.toFixed(1)} ms over 60 scroll steps`);
    const lastCaption = page.locator(`[data-index="${PROMPTS - 1}"] [data-testid="grid-caption"]`);
    await expect.poll(() => lastCaption.textContent(), { timeout: 20_000 }).toBe(`prompt number ${PROMPTS}: a watercolor of a harbour`);
    expect(await page.getByTestId('grid-cell').count()).toBeLessThan(200);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('cancels a running import from its progress bar', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems = collectProblems(page);
    await page.goto(`${studio.url.href}#/dataset`);
    await openDatasetFolder(page, join(temp, 'data', 'huge'));
    await page.getByTestId('dir-entry-prompts.txt').click();
    await page.getByTestId('import-dataset').click();
    await expect.poll(() => page.getByTestId('import-progress-count').textContent(), { timeout: 60_000 }).toMatch(/^[\d,]+ \/ 1,000,000$/);
    await page.getByTestId('import-progress-cancel').click();
    await expect.poll(() => page.getByTestId('import-progress').getAttribute('data-phase'), { timeout: 30_000 }).toBe('cancelled');
    expect(await page.getByTestId('import-progress-status').textContent()).toContain('Cancelled');
    expect(problems).toEqual([]);
    await page.close();
  });
});
