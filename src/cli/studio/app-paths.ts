// Where the built studio lives: walks up from this module to the aptp-studio package root, so the
// same code works from the bundled CLI (out/cli) and from sources (src/cli/studio, tests).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'aptp-studio';

export function findAppRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    if (dirname(dir) === dir) throw new Error(`Cannot find the ${PACKAGE_NAME} folder above ${from}.`);
  }
}

export function rendererDir(root: string = findAppRoot()): string {
  return join(root, 'out', 'renderer');
}
