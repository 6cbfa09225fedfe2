// The `studio://app/` scheme: serves the built renderer to the window from disk (never file://,
// never the network), read-only, inside out/renderer, with the strict CSP header on every answer.
import { protocol } from 'electron';
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { contentTypeOf } from '../shared/content-types';
import { studioContentSecurityPolicy } from '../shared/csp';

import { APP_SCHEME } from './app-origin';

export { APP_ORIGIN, APP_SCHEME } from './app-origin';

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true } }]);
}

function fileFor(root: string, url: URL): string | undefined {
  if (url.host !== 'app') return undefined;
  let segments: string[];
  try {
    segments = decodeURIComponent(url.pathname).split('/').filter((s) => s.length > 0);
  } catch {
    return undefined;
  }
  if (segments.some((s) => s.startsWith('.') || s.includes('\\') || s.includes('\0'))) return undefined;
  const file = resolve(root, ...(segments.length ? segments : ['index.html']));
  return file.startsWith(resolve(root) + sep) ? file : undefined;
}

export function serveAppScheme(rendererDir: string): void {
  const headers = { 'content-security-policy': studioContentSecurityPolicy(), 'x-content-type-options': 'nosniff' };
  protocol.handle(APP_SCHEME, async (request) => {
    const file = fileFor(rendererDir, new URL(request.url));
    const type = file ? contentTypeOf(file) : undefined;
    const body = file && type ? await readFile(file).catch(() => undefined) : undefined;
    if (!body || !type) return new Response('Not found', { status: 404, headers });
    return new Response(body, { status: 200, headers: { ...headers, 'content-type': type } });
  });
}
