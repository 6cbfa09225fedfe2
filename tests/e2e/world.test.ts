// The built-in world in the studio, end to end: the real `aptp studio --web` in Chromium. The Model
// view's "Use the built-in world model" opens the shipped world model (architecture summary), or,
// while resources/world holds no model, says why and how to build one; the Dataset view's "Use the
// built-in world dataset" renders world scenes into the workspace and imports them (64x64 images
// accepted), then shows the report and the grid. No CSP violation or console error.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectProblems, launchChromium } from './chromium';
import { startWebStudioProcess, tearDown, type WebStudioProcess } from './web-studio-process';

const SHIPPED = existsSync(resolve('resources/world/model_index.json'));
let temp: string;
let studio: WebStudioProcess;
let browser: Browser;

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'aptp-e2e-world-'));
  studio = await startWebStudioProcess(join(temp, 'workspace'));
  browser = await launchChromium();
});

afterAll(() => tearDown(browser, studio, temp));

describe('web studio built-in world', () => {
  it('offers the built-in world model in the Model view', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems = collectProblems(page);
    await page.goto(`${studio.url.href}#/model`);
    await page.getByTestId('model-view').waitFor();
    await page.getByTestId('use-world-model').click();
    if (SHIPPED) {
      await page.getByTestId('architecture-card').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('world-model-missing').count()).toBe(0);
    } else {
      await expect.poll(() => page.getByTestId('world-model-missing').textContent()).toMatch(/No trained world model is shipped .*`aptp world build/);
      expect(await page.getByTestId('architecture-card').count()).toBe(0);
    }
    expect(problems).toEqual([]);
    await page.close();
  });

  it('imports the built-in world dataset from the Dataset view', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems = collectProblems(page);
    await page.goto(`${studio.url.href}#/dataset`);
    await page.getByTestId('dataset-view').waitFor();
    await page.getByTestId('use-world-dataset').click();
    await page.getByTestId('report-card').waitFor({ timeout: 180_000 });
    expect(await page.getByTestId('report-format').textContent()).toContain('world');
    expect(await page.getByTestId('dataset-totals').textContent()).toContain('500 items · 500 usable');
    await expect.poll(() => page.getByTestId('grid-total').textContent()).toBe('500 item(s)');
    await expect.poll(() => page.getByTestId('grid-thumb').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  }, 240_000);
});
