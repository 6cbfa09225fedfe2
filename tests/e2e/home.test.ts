// The web studio end to end: the real `aptp studio --web` against a temporary workspace, driven in
// Chromium. The home view shows the engine's facts, a bad token is refused, and the page runs
// under its CSP without a single violation. Writes artifacts/e2e/home.png.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getMachineInfo } from '../../src/engine/system/machine-info';
import { openWorkspace } from '../../src/engine/store/workspace';
import type { MachineInfo } from '../../src/shared/machine-info';
import { collectProblems, launchChromium } from './chromium';
import { startWebStudioProcess, tearDown, type WebStudioProcess } from './web-studio-process';

const ARTIFACTS = resolve('artifacts/e2e');

let temp: string;
let studio: WebStudioProcess;
let browser: Browser;
let expected: MachineInfo;

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), 'aptp-e2e-'));
  mkdirSync(ARTIFACTS, { recursive: true });
  const workspaceDir = join(temp, 'workspace');
  studio = await startWebStudioProcess(workspaceDir);
  const workspace = openWorkspace(workspaceDir);
  expected = await getMachineInfo(workspace);
  workspace.close();
  browser = await launchChromium();
});

afterAll(() => tearDown(browser, studio, temp));


describe('web studio home', () => {
  it('shows what the engine reports about this machine', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1200 } });
    const problems = collectProblems(page);
    const sockets: string[] = [];
    page.on('websocket', (socket) => sockets.push(new URL(socket.url()).pathname));
    await page.goto(studio.url.href);
    const onnx = page.getByTestId('onnxruntime-version');
    await onnx.waitFor({ timeout: 30_000 });
    expect(await onnx.textContent()).toBe(expected.onnxruntimeVersion);
    expect(await page.getByTestId('engine-version').textContent()).toBe(expected.engineVersion);
    expect(await page.getByTestId('cpu-threads').textContent()).toBe(String(expected.cpuThreads));
    expect(await page.getByTestId('workspace-dir').textContent()).toBe(expected.workspaceDir);
    expect(await page.getByTestId('database-path').textContent()).toBe(expected.databasePath);
    expect(await page.getByTestId('chosen-reason').textContent()).toBe(expected.chosenReason);
    for (const provider of expected.providers) {
      expect(await page.getByTestId(`provider-${provider.name}`).textContent()).toContain(provider.reason);
    }
    expect(await page.getByTestId(`provider-${expected.chosenProvider}-chosen`).count()).toBe(1);
    await page.screenshot({ path: join(ARTIFACTS, 'home.png'), fullPage: true });
    expect(problems).toEqual([]);
    expect(sockets).toEqual(['/api']);
    await page.close();
  });

  it('navigates the shell to views that are still to come', async () => {
    const page = await browser.newPage();
    await page.goto(studio.url.href);
    await page.getByTestId('nav-export').click();
    expect(await page.getByTestId('upcoming-view').textContent()).toContain('Export');
    expect(new URL(page.url()).hash).toBe('#/export');
    await page.getByTestId('nav-home').click();
    await page.getByTestId('home-view').waitFor();
    await page.close();
  });

  it('refuses a page load with a bad token', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const bad = new URL(studio.url.href);
    bad.searchParams.set('token', 'not-the-token');
    const response = await page.goto(bad.href);
    expect(response?.status()).toBe(401);
    expect(await page.getByTestId('home-view').count()).toBe(0);
    await context.close();
  });

  it('refuses the WebSocket API to a page from another origin, even with the token', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto('about:blank');
    const api = `ws://${studio.url.host}/api?token=${studio.url.searchParams.get('token')}`;
    const outcome = await page.evaluate(
      (url) =>
        new Promise<string>((done) => {
          const socket = new WebSocket(url);
          socket.onopen = () => done('open');
          socket.onerror = () => done('refused');
        }),
      api,
    );
    expect(outcome).toBe('refused');
    await context.close();
  });

  it('stops cleanly when asked to (SIGTERM)', async () => {
    expect(await studio.stop()).toBe(0);
  });
});
