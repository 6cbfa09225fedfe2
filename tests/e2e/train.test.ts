// The Train view end to end: the real `aptp studio --web` in Chromium over a workspace with a tiny
// diffusers model and a dataset prepared at 64 px by `aptp data`. The model is chosen in the folder
// browser and the run set up in the form; the estimate shows MACs and a time measured by real
// probe steps; a run started from the form trains in its own worker process while its charts grow;
// a page reload finds it still live; it pauses; the web studio is stopped and started again and the
// paused run is still listed; it resumes and finishes with one metric point per step. A second,
// shorter run at another budget is compared with it (configuration diff, overlaid curves). Every
// wait is for a state the page shows, never a guessed delay. Screenshots in artifacts/e2e/.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectProblems, launchChromium } from './chromium';
import { seedTrainWorkspace, TRAIN_RESOLUTION } from './train-seed';
import { startWebStudioProcess, tearDown, type WebStudioProcess } from './web-studio-process';

const ARTIFACTS = resolve('artifacts/e2e');
const STEPS = 24;
const LONG = { timeout: 300_000, interval: 100 };
let temp: string;
let workspace: string;
let seeded: { model: string; dataset: string };
let studio: WebStudioProcess;
let browser: Browser;

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'aptp-e2e-train-'));
  workspace = join(temp, 'workspace');
  mkdirSync(ARTIFACTS, { recursive: true });
  seeded = await seedTrainWorkspace(temp, workspace);
  studio = await startWebStudioProcess(workspace);
  browser = await launchChromium();
}, 300_000);

afterAll(() => tearDown(browser, studio, temp));

async function fillForm(page: Page, values: Record<string, string>): Promise<void> {
  await page.getByTestId('dir-path').fill(seeded.model);
  await page.getByTestId('dir-path').press('Enter');
  await page.getByTestId('use-model').click();
  await expect.poll(() => page.getByTestId('form-model').textContent(), LONG).toBe(`Model: ${seeded.model}`);
  await expect.poll(() => page.getByTestId('form-dataset').inputValue(), LONG).toBe(seeded.dataset);
  await page.getByTestId('new-run-card').locator('summary').click();
  for (const [key, value] of Object.entries(values)) await page.getByTestId(`form-${key}`).fill(value);
}

const points = async (page: Page, chart: string): Promise<number> => Number(await page.getByTestId(chart).getAttribute('data-points'));
const status = (page: Page) => page.getByTestId('selected-status').textContent();

describe('Train view', () => {
  it('starts a run from the form, follows it through a reload and a studio restart, pauses, resumes, finishes, compares', { timeout: 1_200_000 }, async () => {
    let page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
    let problems = collectProblems(page);
    await page.goto(`${studio.url.href}#/train`);
    await page.getByTestId('train-view').waitFor();
    await fillForm(page, { experts: '2', steps: String(STEPS), batch: '2', microBatch: '2', pretrainSteps: '2', warmupSteps: '1', resolution: String(TRAIN_RESOLUTION), checkpointEvery: '4', sampleEvery: '12', samplePrompts: '1', sampleSteps: '2' });

    // Validation: the contract's own complaint, and no start while it stands.
    await page.getByTestId('form-batch').fill('0');
    await expect.poll(() => page.getByTestId('problem-batch').textContent(), LONG).toBe('must be more than 0');
    expect(await page.getByTestId('start-prune').isDisabled()).toBe(true);
    await page.getByTestId('form-batch').fill('2');

    // The estimate: MACs at the budget follow the slider; the time comes from steps run on this machine.
    await expect.poll(() => page.getByTestId('estimate-total').textContent(), LONG).toMatch(/\d/);
    const budgetAt60 = await page.getByTestId('estimate-budget').textContent();
    await page.getByTestId('form-budget').fill('0.8');
    await expect.poll(() => page.getByTestId('estimate-budget').textContent(), LONG).not.toBe(budgetAt60);
    await expect.poll(() => page.getByTestId('estimate-time').textContent(), LONG).toMatch(/\/step on CPU/);
    await page.getByTestId('form-budget').fill('0.6');
    await expect.poll(() => page.getByTestId('estimate-budget').textContent(), LONG).toBe(budgetAt60);
    await expect.poll(() => page.getByTestId('estimate-time').textContent(), LONG).toMatch(/measured earlier/);
    // At the paper's learning rate these few steps cannot switch a gate off, and the estimate says so.
    await expect.poll(() => page.getByTestId('estimate-reach').textContent(), LONG).toMatch(/less than the 3 that switches a gate off/);
    await page.getByTestId('form-lr').fill('0.5');
    await expect.poll(() => page.getByTestId('estimate-reach').textContent(), LONG).toMatch(/^\s*about \d+\.\d\d over the run\s*$/);
    await page.getByTestId('form-lr').fill('0.0002');
    await expect.poll(() => page.getByTestId('estimate-reach').textContent(), LONG).toMatch(/less than the 3/);
    await page.screenshot({ path: join(ARTIFACTS, 'train-form.png'), fullPage: true });

    // Start; the charts grow while the worker trains.
    await page.getByTestId('start-prune').click();
    await expect.poll(() => status(page), LONG).toBe('running');
    await expect.poll(() => points(page, 'chart-loss-total'), LONG).toBeGreaterThanOrEqual(1);
    const before = await points(page, 'chart-loss-total');
    await expect.poll(() => points(page, 'chart-loss-total'), LONG).toBeGreaterThan(before);

    // Reload: the run is still there and still live.
    await page.reload();
    await expect.poll(() => status(page), LONG).toBe('running');
    const afterReload = await points(page, 'chart-loss-total');
    await expect.poll(() => points(page, 'chart-loss-total'), LONG).toBeGreaterThan(afterReload);
    expect(await points(page, 'chart-rho')).toBeGreaterThan(0);
    expect(await points(page, 'chart-code-usage')).toBeGreaterThan(0);
    expect(await page.getByTestId('chart-code-usage').getAttribute('data-codes')).toBe('2');

    // Pause: the worker writes a checkpoint and stops.
    await page.getByTestId('pause-run').click();
    await expect.poll(() => status(page), LONG).toBe('paused');
    const pausedAt = Number((await page.getByTestId('selected-progress').textContent())!.match(/step (\d+)/)![1]);
    expect(pausedAt).toBeLessThan(STEPS);
    await page.screenshot({ path: join(ARTIFACTS, 'train-paused.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();

    // Restart the web studio: the paused run is still listed; resume it and it finishes.
    await studio.stop();
    studio = await startWebStudioProcess(workspace);
    page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
    problems = collectProblems(page);
    await page.goto(`${studio.url.href}#/train`);
    await expect.poll(() => status(page), LONG).toBe('paused');
    await expect.poll(() => points(page, 'chart-loss-total'), LONG).toBe(pausedAt);
    await page.getByTestId('resume-run').click();
    await expect.poll(() => status(page), LONG).toBe('completed');
    await expect.poll(() => page.getByTestId('selected-progress').textContent(), LONG).toBe(`step ${STEPS} / ${STEPS}`);
    await expect.poll(() => points(page, 'chart-loss-total'), LONG).toBe(STEPS);
    expect(await page.getByTestId('chart-lr').getAttribute('data-last-step')).toBe(String(STEPS - 1));
    const first = (await page.getByTestId('run-item').first().getAttribute('data-run'))!;

    // The samples per code (the trainer samples every fifth of the run and at the end): the slider
    // moves every chart's cursor; a chart hover moves it too.
    await expect.poll(() => page.getByTestId('code-sample').count(), LONG).toBe(2);
    await expect.poll(async () => Number(await page.getByTestId('sample-step').textContent()), LONG).toBeGreaterThanOrEqual(STEPS - 1);
    await page.getByTestId('sample-slider').fill('0');
    const sampled = (await page.getByTestId('sample-step').textContent())!;
    expect(Number(sampled)).toBeLessThan(STEPS);
    await expect.poll(() => page.getByTestId('chart-loss-total').getAttribute('data-cursor')).toBe(sampled);
    await page.screenshot({ path: join(ARTIFACTS, 'train-samples.png'), fullPage: true });
    const box = (await page.getByTestId('chart-lr').locator('canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const cursorStep = await page.getByTestId('chart-lr').getAttribute('data-cursor');
    expect(Number(cursorStep)).toBeGreaterThan(0);
    expect(await page.getByTestId('chart-loss-total').getAttribute('data-cursor')).toBe(cursorStep);

    // A second, shorter run at another budget, then the two side by side.
    await fillForm(page, { experts: '2', steps: '4', batch: '2', microBatch: '2', pretrainSteps: '2', warmupSteps: '1', resolution: String(TRAIN_RESOLUTION), checkpointEvery: '4', sampleEvery: '4', samplePrompts: '1', sampleSteps: '2' });
    await page.getByTestId('form-budget').fill('0.8');
    await page.getByTestId('start-prune').click();
    await expect.poll(() => page.getByTestId('run-item').count(), LONG).toBe(2);
    await expect.poll(() => status(page), LONG).toBe('completed');
    const second = (await page.getByTestId('run-card').locator('h2').textContent())!.replace('Run ', '');
    expect(first.startsWith(second)).toBe(false);
    await page.locator(`[data-testid="run-item"][data-run="${first}"]`).getByTestId('compare-run').check();
    await expect.poll(() => page.getByTestId('config-diff-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key'))), LONG).toEqual(['budget', 'sampleEvery', 'steps']);
    await expect.poll(() => points(page, 'compare-loss'), LONG).toBe(STEPS);
    await page.screenshot({ path: join(ARTIFACTS, 'train-compare.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});
