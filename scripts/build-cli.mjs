// Bundles the `aptp` command line (src/cli/entry.ts and the engine it uses) into out/cli/aptp.mjs.
// Native and heavy packages stay external and load from node_modules at run time.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: [join(root, 'src/cli/entry.ts')],
  outfile: join(root, 'out/cli/aptp.mjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  external: ['onnxruntime-node', 'better-sqlite3', 'ws', 'electron', 'sharp', 'bufferutil', 'utf-8-validate'],
  banner: { js: "import { createRequire as __aptpCreateRequire } from 'node:module'; const require = __aptpCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
