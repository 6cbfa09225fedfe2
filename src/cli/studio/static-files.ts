// Serves the built renderer read-only: paths are resolved inside the root (no traversal, no
// dot-files, no directory listings), with explicit content types and security headers.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { resolve, sep } from 'node:path';
import { contentTypeOf } from '../../shared/content-types';

/** The file a URL path names inside root, or undefined when it would leave root or is hidden. */
export function resolveStaticPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter((s) => s.length > 0);
  if (segments.some((s) => s.startsWith('.'))) return undefined;
  const base = resolve(root);
  const file = resolve(base, ...(segments.length ? segments : ['index.html']));
  return file.startsWith(base + sep) ? file : undefined;
}

export async function serveStaticFile(res: ServerResponse, root: string, urlPath: string, headers: Record<string, string>): Promise<void> {
  const file = resolveStaticPath(root, urlPath);
  const type = file ? contentTypeOf(file) : undefined;
  const info = file && type ? await stat(file).catch(() => undefined) : undefined;
  if (!file || !type || !info?.isFile()) {
    res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
    return;
  }
  res.writeHead(200, { ...headers, 'content-type': type, 'content-length': String(info.size), 'cache-control': 'no-store' });
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
