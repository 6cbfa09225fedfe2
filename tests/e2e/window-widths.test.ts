// Every view fits the window from 900 px to 2560 px wide: the real `aptp studio --web` in Chromium,
// with a tiny model open (Model view with its summary and generation form, one kept image in the
// Gallery) and the jobs panel open at 900 px. For each view and width: nothing sticks out of the
// main area unless inside something that scrolls (cards stack, tables scroll), and the page itself
// never scrolls sideways. Writes artifacts/e2e/view-<id>-<width>.png for 900 and 1600 px.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIEWS } from '../../src/renderer/lib/state/navigation.svelte';
import { writeTinyFolder } from '../engine/models/sd/loader/tiny-folder';
import { collectProblems, launchChromium } from './chromium';
import { startWebStudioProcess, tearDown, type WebStudioProcess } from './web-studio-process';

const ARTIFACTS = resolve('artifacts/e2e');
let temp: string;
let model: string;
let studio: WebStudioProcess;
let browser: Browser;

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'aptp-e2e-widths-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  model = await writeTinyFolder(join(temp, 'models', 'a-model-folder-with-a-rather-long-name-to-test-wrapping'));
  studio = await startWebStudioProcess(join(temp, 'workspace'));
  browser = await launchChromium();
});

afterAll(() => tearDown(browser, studio, temp));

/** Elements of `main` whose right edge passes main's, outside any ancestor that scrolls or clips on purpose. */
function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const main = document.querySelector('main');
    if (!main) return ['no main'];
    const limit = main.getBoundingClientRect().right + 1;
    const scrolls = (el: Element): boolean => {
      for (let a = el.parentElement; a && a !== main; a = a.parentElement) {
        const x = getComputedStyle(a).overflowX;
        if (x === 'auto' || x === 'scroll') return true;
      }
      return false;
    };
    const out: string[] = [];
    if (document.documentElement.scrollWidth > window.innerWidth) out.push(`page scrolls sideways (${document.documentElement.scrollWidth} > ${window.innerWidth})`);
    for (const el of Array.from(main.querySelectorAll('*'))) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > limit && !scrolls(el)) out.push(`${el.tagName.toLowerCase()}.${el.className} right ${Math.round(r.right)} > ${Math.round(limit)}`);
    }
    return out.slice(0, 5);
  });
}

describe('window widths', () => {
  it('every view fits at 900, 1600 and 2560 px', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const problems = collectProblems(page);
    await page.goto(`${studio.url.href}#/model`);
    await page.getByTestId('dir-path').fill(model);
    await page.getByTestId('open-model').click();
    await page.getByTestId('model-summary').waitFor({ timeout: 30_000 });
    for (const [id, value] of Object.entries({ steps: '2', width: '16', height: '16' })) await page.getByTestId(id).fill(value);
    await page.getByTestId('generate').click();
    await page.getByTestId('generated-image').waitFor({ timeout: 60_000 });
    for (const width of [900, 1600, 2560]) {
      await page.setViewportSize({ width, height: 1000 });
      for (const view of VIEWS) {
        await page.getByTestId(`nav-${view.id}`).click();
        await page.waitForTimeout(400);
        if (view.id === 'model') await page.getByTestId('model-summary').waitFor();
        if (view.id === 'gallery') await page.getByTestId('gallery-item').first().waitFor();
        expect(await overflowing(page), `${view.id} at ${width} px`).toEqual([]);
        if (width !== 2560) await page.screenshot({ path: join(ARTIFACTS, `view-${view.id}-${width}.png`), fullPage: true });
      }
    }
    await page.setViewportSize({ width: 900, height: 1000 });
    await page.getByTestId('jobs-button').click();
    await page.getByTestId('jobs-panel').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });
});
