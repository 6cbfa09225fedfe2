// The jobs panel end to end: the real `aptp studio --web` in Chromium. A long generation started in
// the Model view shows in the panel opened from another view (the Gallery) with live progress; after
// a reload the panel is still open and finds the generation again through the engine; Cancel in the
// panel stops it. An import run started by `aptp data import` in a terminal shows as completed with
// the dataset it came from, and its source link opens the Dataset view. Writes
// artifacts/e2e/jobs-panel-900.png and jobs-panel-1600.png.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyFolder } from '../engine/models/sd/loader/tiny-folder';
import { collectProblems, launchChromium } from './chromium';
import { startWebStudioProcess, tearDown, type WebStudioProcess } from './web-studio-process';

const ARTIFACTS = resolve('artifacts/e2e');
let temp: string;
let model: string;
let workspace: string;
let studio: WebStudioProcess;
let browser: Browser;

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'aptp-e2e-jobs-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  model = await writeTinyFolder(join(temp, 'models', 'tiny-sd'));
  workspace = join(temp, 'workspace');
  studio = await startWebStudioProcess(workspace);
  browser = await launchChromium();
});

afterAll(() => tearDown(browser, studio, temp));

const generationRow = (page: Page) => page.locator('[data-testid="job-row"][data-kind="Generation"]');
const doneOf = async (page: Page): Promise<number> => Number(/^([\d,]+) \//.exec((await generationRow(page).getByTestId('job-progress').textContent()) ?? '')?.[1]?.replace(/,/g, '') ?? 0);

describe('web studio jobs panel', () => {
  it('lists a running generation from any view, keeps it across a reload, cancels it, and shows terminal runs', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const problems = collectProblems(page);
    await page.goto(`${studio.url.href}#/model`);
    await page.getByTestId('dir-path').fill(model);
    await page.getByTestId('open-model').click();
    await page.getByTestId('model-summary').waitFor({ timeout: 30_000 });
    for (const [id, value] of Object.entries({ steps: '500', width: '16', height: '16' })) await page.getByTestId(id).fill(value);
    await page.getByTestId('generate').click();

    await page.getByTestId('nav-gallery').click();
    await expect.poll(() => page.getByTestId('jobs-running').textContent(), { timeout: 30_000 }).toBe('1 running');
    await page.getByTestId('jobs-button').click();
    await expect.poll(() => generationRow(page).getAttribute('data-status'), { timeout: 30_000 }).toBe('running');
    await expect.poll(() => doneOf(page), { timeout: 60_000 }).toBeGreaterThan(0);
    expect(await generationRow(page).getByTestId('job-source').textContent()).toBe('this studio · model');
    await page.screenshot({ path: join(ARTIFACTS, 'jobs-panel-1600.png') });

    await page.reload();
    await generationRow(page).waitFor({ timeout: 30_000 });
    const seen = await doneOf(page);
    await expect.poll(() => doneOf(page), { timeout: 60_000 }).toBeGreaterThan(seen);
    await generationRow(page).getByTestId('job-cancel').click();
    await expect.poll(() => generationRow(page).getAttribute('data-status'), { timeout: 60_000 }).toBe('cancelled');
    expect(await page.getByTestId('jobs-running').count()).toBe(0);

    // A run started in a terminal shows too, with the dataset it came from.
    const data = join(temp, 'prompts.txt');
    writeFileSync(data, 'a red fox\na blue car\n');
    const cli = spawnSync(process.execPath, [resolve('bin/aptp.mjs'), 'data', 'import', data, '--workspace', workspace], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(cli.status, cli.stderr).toBe(0);
    const importRow = page.locator('[data-testid="job-row"][data-kind="Import"]');
    await expect.poll(() => importRow.getAttribute('data-status'), { timeout: 30_000 }).toBe('completed');
    expect(await importRow.getByTestId('job-source').textContent()).toBe('dataset prompts.txt · dataset');
    await page.setViewportSize({ width: 900, height: 1000 });
    await page.screenshot({ path: join(ARTIFACTS, 'jobs-panel-900.png') });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await importRow.getByTestId('job-source').click();
    await page.getByTestId('dataset-view').waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });
});
