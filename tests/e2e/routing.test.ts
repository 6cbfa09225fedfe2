// The Routing view end to end: the real `aptp studio --web` in Chromium over a workspace seeded
// through the engine's repositories: 200 clustered prompts imported and prepared with a tiny CLIP,
// routed to 4 experts (k-means on their real embeddings), projected by the engine on first view;
// and a 100,000-prompt run for the frame-time figure. The map shows every prompt, hover shows a
// prompt, search finds a prompt, the lasso selects exactly the points of a known region, an expert
// shows its architecture and its prompts ranked by margin, and pan/zoom at 100k points prints its
// median draw time, its step-to-painted time and the browser's idle floor for that wait. No console error. Writes artifacts/e2e/routing.png and routing-100k.png.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routingMapOf } from '../../src/engine/aptp/routing-map';
import { RoutingRepository } from '../../src/engine/store/repositories/routing';
import { openWorkspace } from '../../src/engine/store/workspace';
import { pointsInPolygon } from '../../src/renderer/components/routing/lasso';
import { baseScale, toData, toScreen } from '../../src/renderer/components/routing/point-raster';
import { clusteredPrompts, preparedPrompts, writeWordModel } from '../engine/aptp/prompt-world';
import { seedLargeRouting, seedRouting } from '../engine/aptp/routing-seed';
import { collectProblems, launchChromium } from './chromium';
import { startWebStudioProcess, tearDown, type WebStudioProcess } from './web-studio-process';

const ARTIFACTS = resolve('artifacts/e2e');
const LARGE = 100_000;
let temp: string;
let studio: WebStudioProcess;
let browser: Browser;
let small: { runId: string; x: Float32Array; y: Float32Array; prompts: string[]; expertOf: number[] };
let large: { runId: string };

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'aptp-e2e-routing-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  const ws = openWorkspace(join(temp, 'workspace'));
  try {
    large = await seedLargeRouting(ws, temp, LARGE, 6);
    const model = await writeWordModel(join(temp, 'model'));
    const { datasetId, encoder } = await preparedPrompts(ws, temp, clusteredPrompts(50), model);
    const { runId } = await seedRouting(ws, datasetId, encoder, 4);
    // The engine's own answer (its first call computes and caches the projection the studio serves).
    const map = await routingMapOf(ws, runId);
    small = { runId, x: Float32Array.from(map.points.x), y: Float32Array.from(map.points.y), prompts: map.points.prompt, expertOf: map.points.expert.map((e) => e!) };
  } finally {
    ws.close();
  }
  studio = await startWebStudioProcess(join(temp, 'workspace'));
  browser = await launchChromium();
}, 300_000);

afterAll(() => tearDown(browser, studio, temp));

interface MapGeometry {
  readonly left: number;
  readonly top: number;
  readonly base: ReturnType<typeof baseScale>;
  readonly t: { k: number; x: number; y: number };
}

async function geometry(page: Page): Promise<MapGeometry> {
  const map = page.getByTestId('routing-map');
  const box = (await map.boundingBox())!;
  const [w, h] = (await map.getAttribute('data-size'))!.split(',').map(Number);
  const [k, x, y] = (await map.getAttribute('data-transform'))!.split(',').map(Number);
  return { left: box.x, top: box.y, base: baseScale(w!, h!), t: { k: k!, x: x!, y: y! } };
}

async function openRun(page: Page, runId: string, points: number): Promise<void> {
  await page.getByTestId('routing-run').selectOption(runId);
  await expect.poll(() => page.getByTestId('routing-map').getAttribute('data-points'), { timeout: 60_000 }).toBe(String(points));
  await expect.poll(async () => Number(await page.getByTestId('routing-map').getAttribute('data-drawn')), { timeout: 20_000 }).toBeGreaterThan(0);
}

describe('Routing view', () => {
  it('maps every prompt, hovers, searches, lassos a known region and shows an expert', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
    const problems = collectProblems(page);
    await page.goto(`${studio.url.href}#/routing`);
    await openRun(page, small.runId, small.prompts.length);
    expect(await page.getByTestId('map-count').textContent()).toBe('200 prompts');
    expect(Number(await page.getByTestId('routing-map').getAttribute('data-drawn'))).toBe(200);
    for (let e = 0; e < 4; e++) await expect.poll(() => page.getByTestId(`expert-${e}-macs`).textContent()).toMatch(/^\d+% MACs$/);
    expect(await page.getByTestId('expert-3-macs').textContent()).toBe('100% MACs');

    // Hover: the point's prompt appears.
    const g = await geometry(page);
    const [hx, hy] = toScreen(small.x[7]!, small.y[7]!, g.base, g.t);
    await page.mouse.move(g.left + hx, g.top + hy);
    await expect.poll(() => page.getByTestId('point-preview-prompt').textContent()).toBe(small.prompts[7]);

    // Search: the count of prompts holding a word.
    const word = small.prompts[0]!.split(' ')[0]!;
    await page.getByTestId('routing-search').fill(word);
    const expected = small.prompts.filter((p) => p.toLowerCase().includes(word)).length;
    await expect.poll(() => page.getByTestId('search-count').textContent()).toBe(`${expected} match(es)`);
    await page.getByTestId('routing-search').fill('');

    // Lasso: a quadrilateral around the left half of the map, in screen pixels; the expected set is
    // computed from the engine's coordinates inside the same polygon.
    await page.getByTestId('mode-lasso').click();
    const [w, h] = [g.base.bx * 2, g.base.by * 2];
    const corners: [number, number][] = [[Math.round(w * 0.08), Math.round(h * 0.1)], [Math.round(w * 0.5), Math.round(h * 0.15)], [Math.round(w * 0.45), Math.round(h * 0.9)], [Math.round(w * 0.1), Math.round(h * 0.85)]];
    const polygon = corners.map(([sx, sy]) => toData(sx, sy, g.base, g.t));
    const inside = pointsInPolygon(small.x, small.y, polygon);
    expect(inside.length).toBeGreaterThan(5);
    expect(inside.length).toBeLessThan(195);
    await page.mouse.move(g.left + corners[0]![0], g.top + corners[0]![1]);
    await page.mouse.down();
    for (const [sx, sy] of [...corners.slice(1), corners[0]!]) await page.mouse.move(g.left + sx, g.top + sy, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => page.getByTestId('selection-card').locator('h2').textContent()).toBe(`Selection: ${inside.length} prompt(s)`);
    const listed = await page.getByTestId('selection-list').getByTestId('listed-prompt-text').allTextContents();
    expect(listed).toEqual(inside.map((i) => small.prompts[i]));
    await page.screenshot({ path: join(ARTIFACTS, 'routing.png'), fullPage: true });

    // An expert: its architecture per block and its prompts, most confident first.
    await page.getByTestId('clear-selection').click();
    await page.getByTestId('expert-1').click();
    await expect.poll(() => page.getByTestId('expert-architecture').getByTestId('arch-block').count()).toBe(5);
    const ws = openWorkspace(join(temp, 'workspace'));
    const ranked = new RoutingRepository(ws.db).expertPrompts(small.runId, 1, 0, 50).prompts.map((p) => p.caption);
    ws.close();
    await expect.poll(() => page.getByTestId('expert-prompts').getByTestId('listed-prompt-text').allTextContents()).toEqual(ranked);
    await expect.poll(() => page.getByTestId('separating-words').locator('li').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('pans and zooms 100,000 prompts (prints the median frame time)', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems = collectProblems(page);
    await page.goto(`${studio.url.href}#/routing`);
    await openRun(page, large.runId, LARGE);
    expect(Number(await page.getByTestId('routing-map').getAttribute('data-drawn'))).toBe(LARGE);
    const canvas = page.getByTestId('routing-map').locator('canvas').first();
    const figures = await canvas.evaluate(async (el) => {
      const map = el.parentElement!;
      const r = el.getBoundingClientRect();
      const [cx, cy] = [r.left + r.width / 2, r.top + r.height / 2];
      const painted = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(undefined))));
      const steps: number[] = [];
      const draws: number[] = [];
      const record = async (t0: number) => {
        await painted();
        steps.push(performance.now() - t0);
        draws.push(Number(map.dataset.frameMs));
      };
      for (let i = 0; i < 30; i++) {
        const t0 = performance.now();
        el.dispatchEvent(new WheelEvent('wheel', { deltaY: i < 15 ? -120 : 120, clientX: cx, clientY: cy, bubbles: true, cancelable: true }));
        await record(t0);
      }
      el.dispatchEvent(new MouseEvent('mousedown', { clientX: cx, clientY: cy, button: 0, bubbles: true, view: window }));
      for (let i = 1; i <= 30; i++) {
        const t0 = performance.now();
        window.dispatchEvent(new MouseEvent('mousemove', { clientX: cx + i * 9, clientY: cy + i * 4, bubbles: true, view: window }));
        await record(t0);
      }
      window.dispatchEvent(new MouseEvent('mouseup', { clientX: cx + 270, clientY: cy + 120, bubbles: true, view: window }));
      // The reference in the same run: the same wait with no event (the browser's own two-frame floor).
      const idle: number[] = [];
      for (let i = 0; i < 30; i++) {
        const t0 = performance.now();
        await painted();
        idle.push(performance.now() - t0);
      }
      return { steps, draws, idle, transform: map.dataset.transform };
    });
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
    console.log(`routing map, ${LARGE.toLocaleString('en-US')} points: median draw ${median(figures.draws).toFixed(1)} ms, median step-to-painted ${median(figures.steps).toFixed(1)} ms over 60 pan/zoom steps (the same two-frame wait with no event: ${median(figures.idle).toFixed(1)} ms)`);
    expect(figures.transform).not.toBe('1,0,0');
    await page.screenshot({ path: join(ARTIFACTS, 'routing-100k.png') });
    expect(problems).toEqual([]);
    await page.close();
  });
});
