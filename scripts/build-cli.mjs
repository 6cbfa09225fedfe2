// Bundles the `aptp` command line (src/cli/entry.ts and the engine it uses) into out/cli/aptp.mjs,
// the run worker (src/engine/runs/worker-entry.ts) next to it as out/cli/run-worker.mjs, and the
// engine host the web studio forks (src/engine/host/host-process.ts) as out/cli/engine-host.mjs.
// Native and heavy packages stay external and load from node_modules at run time.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: {
    aptp: join(root, 'src/cli/entry.ts'),
    'run-worker': join(root, 'src/engine/runs/worker-entry.ts'),
    'engine-host': join(root, 'src/engine/host/host-process.ts'),
  },
  outdir: join(root, 'out/cli'),
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  external: ['onnxruntime-node', 'better-sqlite3', 'ws', 'electron', 'sharp', 'bufferutil', 'utf-8-validate'],
  banner: { js: "import { createRequire as __aptpCreateRequire } from 'node:module'; const require = __aptpCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
