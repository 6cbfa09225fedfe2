// The Model view on a single-file checkpoint, end to end: the real `aptp studio --web` in Chromium
// on a tiny random SD 2.x .safetensors (original LDM layout, written by the loader tests' helper).
// Type its path, give the config overrides (a bad JSON gets a clear message first), get asked for
// the prediction type and choose it, read the summary, choose a tokenizer folder in the browser
// (a folder without one gets the engine's reason), generate a 2-step image and see it. No console
// error. Writes artifacts/e2e/model-single-file.png.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyFolder } from '../engine/models/sd/loader/tiny-folder';
import { writeTinyLdm } from '../engine/models/sd/loader/tiny-ldm';
import { collectProblems, launchChromium } from './chromium';
import { startWebStudioProcess, tearDown, type WebStudioProcess } from './web-studio-process';

const ARTIFACTS = resolve('artifacts/e2e');
/** The tiny model's heads and groups, which its tensor shapes cannot tell from SD's. */
const CONFIGS = { unet: { attention_head_dim: 2, norm_num_groups: 8 }, vae: { norm_num_groups: 4 }, textEncoder: { num_attention_heads: 2 } };
let temp: string;
let checkpoint: string;
let diffusers: string;
let studio: WebStudioProcess;
let browser: Browser;

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'aptp-e2e-single-file-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  checkpoint = join(temp, 'models', 'tiny-sd2.safetensors');
  mkdirSync(join(temp, 'models'));
  await writeTinyLdm(checkpoint, { family: 'sd2' });
  diffusers = await writeTinyFolder(join(temp, 'models', 'tiny-diffusers'));
  studio = await startWebStudioProcess(join(temp, 'workspace'));
  browser = await launchChromium();
});

afterAll(() => tearDown(browser, studio, temp));


describe('web studio model view, single-file checkpoint', () => {
  it('asks for the prediction type and a tokenizer folder, then generates a 2-step image', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
    const problems = collectProblems(page);
    await page.goto(`${studio.url.href}#/model`);
    await page.getByTestId('model-view').waitFor();
    const folderCard = page.getByTestId('model-folder-card');
    await folderCard.getByTestId('dir-path').fill(checkpoint);

    await page.getByText('Config overrides (advanced)').click();
    await page.getByTestId('config-overrides-text').fill('{"unetz": {}}');
    await expect.poll(() => page.getByTestId('config-overrides-error').textContent()).toMatch(/any of the keys unet, textEncoder, vae, scheduler.*unknown key 'unetz'/);
    expect(await page.getByTestId('open-model').isDisabled()).toBe(true);
    await page.getByTestId('config-overrides-text').fill(JSON.stringify(CONFIGS));
    expect(await page.getByTestId('config-overrides-error').count()).toBe(0);
    await page.getByTestId('open-model').click();

    await page.getByTestId('prediction-type-choice').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('prediction-epsilon').textContent()).toContain('SD 2.x-base');
    expect(await page.getByTestId('prediction-v_prediction').textContent()).toContain('768-v');
    await page.getByTestId('prediction-epsilon').click();
    await page.getByTestId('model-summary').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('model-scheduler').textContent()).toContain('epsilon prediction');
    expect(await page.getByTestId('prediction-type-choice').count()).toBe(0);

    const picker = page.getByTestId('tokenizer-picker');
    expect(await picker.textContent()).toContain('the tokenizer that turns the prompt into tokens (vocab.json and merges.txt) is not in it');
    expect(await page.getByTestId('generate-form').count()).toBe(0);
    // The picker starts beside the checkpoint; the model folder itself holds no tokenizer files.
    await expect.poll(() => picker.getByTestId('dir-path').inputValue()).toBe(join(temp, 'models'));
    await picker.getByTestId('dir-entry-tiny-diffusers').click();
    await expect.poll(() => picker.getByTestId('dir-path').inputValue()).toBe(diffusers);
    await page.getByTestId('use-tokenizer').click();
    await expect.poll(() => page.getByTestId('tokenizer-error').textContent(), { timeout: 30_000 }).toContain('vocab.json is missing');
    expect(await page.getByTestId('model-summary').count()).toBe(1);
    await picker.getByTestId('dir-entry-tokenizer').click();
    await expect.poll(() => picker.getByTestId('dir-path').inputValue()).toBe(join(diffusers, 'tokenizer'));
    await page.getByTestId('use-tokenizer').click();

    await page.getByTestId('generate-form').waitFor({ timeout: 30_000 });
    for (const [id, value] of Object.entries({ prompt: 'a a', seed: '3', steps: '2', width: '16', height: '16' })) await page.getByTestId(id).fill(value);
    await page.getByTestId('generate').click();
    await expect.poll(() => page.getByTestId('step-counter').textContent(), { timeout: 60_000 }).toBe('Step 2 / 2');
    const image = page.getByTestId('generated-image');
    await image.waitFor({ timeout: 60_000 });
    expect(await image.evaluate((img: HTMLImageElement) => [img.complete, img.naturalWidth, img.naturalHeight])).toEqual([true, 16, 16]);
    expect(await page.getByTestId('image-caption').textContent()).toContain('16×16 · seed 3 · 2 steps');
    expect(await page.getByTestId('generation-error').count()).toBe(0);
    expect(await page.getByTestId('tokenizer-in-use').textContent()).toBe(`Tokenizer: ${join(diffusers, 'tokenizer')}`);
    await page.screenshot({ path: join(ARTIFACTS, 'model-single-file.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });
});
