// Debian's Chromium driven by playwright-core, headless and offline-quiet, and the page checks
// every end-to-end test shares, and the folder browser's one way in (type a path, Enter, wait for
// that folder's own listing).
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM_PATH = process.env.APTP_CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/** Collects console errors and warnings and uncaught page errors; a clean page leaves it empty. */
export function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return problems;
}

/**
 * Types `path` into the folder browser and submits it, then waits until the browser lists that
 * folder (its data-listed attribute), so a listing of another folder (the home folder listed on
 * mount) can never pass for it. The box must hold exactly `path` before it is submitted (a home
 * listing that answered between Playwright's select-all and its typing once left both paths there,
 * and the wait for a folder that does not exist timed out; the browser now leaves a focused box alone).
 */
export async function openFolderInBrowser(page: Page, path: string): Promise<void> {
  const box = page.getByTestId('dir-path');
  await box.fill(path);
  await expect.poll(() => box.inputValue()).toBe(path);
  await box.press('Enter');
  await page.locator(`[data-testid="directory-browser"][data-listed="${quoted(path)}"]`).waitFor({ timeout: 30_000 });
}

/** The Dataset view's way in: the folder's own listing, then what the engine detected in it. */
export async function openDatasetFolder(page: Page, path: string): Promise<void> {
  await openFolderInBrowser(page, path);
  await page.locator(`[data-testid="detection"][data-detected="${quoted(path)}"]`).waitFor({ timeout: 30_000 });
}

/** `value` for a double-quoted CSS attribute selector. */
const quoted = (value: string): string => value.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
