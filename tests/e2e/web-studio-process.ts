// Starts the real `aptp studio --web` (bin/aptp.mjs, the built CLI) on a free port against a
// workspace folder, and reads the URL it prints. Stopping sends SIGTERM and waits for the exit.
// tearDown ends what an e2e file started (browser, studio, temporary folder).
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Browser } from 'playwright-core';

export interface WebStudioProcess {
  readonly url: URL;
  readonly output: string[];
  stop(): Promise<number | null>;
}

const URL_LINE = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/;

function waitForUrl(child: ChildProcess, output: string[]): Promise<URL> {
  return new Promise((resolvePromise, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      output.push(line);
      const match = URL_LINE.exec(line);
      if (match?.[1]) resolvePromise(new URL(match[1]));
    });
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('exit', (code) => reject(new Error(`aptp studio --web exited (${code}) before printing its URL:\n${output.join('\n')}`)));
  });
}

export async function startWebStudioProcess(workspace: string): Promise<WebStudioProcess> {
  const bin = resolve('bin/aptp.mjs');
  const child = spawn(process.execPath, [bin, 'studio', '--web', '--no-open', '--port', '0', '--workspace', workspace], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const output: string[] = [];
  const url = await waitForUrl(child, output);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return {
    url,
    output,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Closes the browser, stops the studio and removes `temp`; each may be missing after a failed start. */
export async function tearDown(browser: Browser | undefined, studio: WebStudioProcess | undefined, temp: string | undefined): Promise<void> {
  await browser?.close();
  await studio?.stop();
  if (temp) rmSync(temp, { recursive: true, force: true });
}
