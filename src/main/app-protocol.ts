// The `studio://app/` scheme: serves the built renderer to the window from disk (never file://,
// never the network), read-only, inside out/renderer, with the strict CSP header on every answer.
import { net, protocol } from 'electron';
import { resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { studioContentSecurityPolicy } from '../shared/csp';

export const APP_SCHEME = 'studio';
export const APP_ORIGIN = `${APP_SCHEME}://app`;

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

function fileFor(root: string, url: URL): string | undefined {
  if (url.host !== 'app') return undefined;
  const segments = decodeURIComponent(url.pathname).split('/').filter((s) => s.length > 0);
  if (segments.some((s) => s.startsWith('.') || s.includes('\\'))) return undefined;
  const file = resolve(root, ...(segments.length ? segments : ['index.html']));
  return file.startsWith(resolve(root) + sep) ? file : undefined;
}

export function serveAppScheme(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = fileFor(rendererDir, new URL(request.url));
    if (!file) return new Response('Not found', { status: 404 });
    const answer = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(answer.headers);
    headers.set('content-security-policy', studioContentSecurityPolicy());
    headers.set('x-content-type-options', 'nosniff');
    return new Response(answer.body, { status: answer.status, headers });
  });
}
