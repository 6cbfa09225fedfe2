#!/usr/bin/env node
// The `aptp` command: runs the bundled CLI, or says how to build it when it is missing.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundle = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'cli', 'aptp.mjs');
if (!existsSync(bundle)) {
  process.stderr.write('aptp: the command line is not built yet; run `npm run setup` in the APTP Studio folder.\n');
  process.exit(1);
}
await import(pathToFileURL(bundle).href);
