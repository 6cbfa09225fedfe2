// Data benchmark at scale: imports a generated CC3M-style dataset (a TSV of captions, a fraction
// of them with downloaded images in img2dataset shards) twice in one run, at a tenth of the size
// and at full size, and prints rows/s, images/s and peak memory for both: memory that does not
// grow with the dataset is the point (streaming, batched writes). Defaults: 1,000,000 captions and
// 10,000 images (BENCH_CAPTIONS, BENCH_IMAGES; 100000 images is the full scale). Prints
// `name: value` lines; no thresholds. Run: npx tsx bench/data-import.ts
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { importDataset } from '../src/engine/data/import-dataset';
import { openWorkspace } from '../src/engine/store/workspace';
import { line } from './report';

const CAPTIONS = Number(process.env.BENCH_CAPTIONS ?? 1_000_000);
const IMAGES = Number(process.env.BENCH_IMAGES ?? 10_000);

async function writeDataset(dir: string, captions: number, images: number): Promise<void> {
  const base = await sharp({ create: { width: 256, height: 256, channels: 3, background: { r: 90, g: 140, b: 200 } } }).jpeg().toBuffer();
  const stride = Math.max(1, Math.floor(captions / images));
  for (let n = 0, row = 0; n < images; n++, row += stride) {
    const shard = join(dir, String(Math.floor(row / 10_000)).padStart(5, '0'));
    if (row % 10_000 < stride) mkdirSync(shard, { recursive: true });
    const tail = Buffer.alloc(4);
    tail.writeUInt32BE(n);
    writeFileSync(join(shard, `${String(row).padStart(9, '0')}.jpg`), Buffer.concat([base, tail]));
  }
  const tsv = createWriteStream(join(dir, 'train.tsv'));
  for (let i = 0; i < captions; i++) {
    if (!tsv.write(`caption ${i}: a photograph of a harbour at dawn with boats\thttp://img.test/${i}.jpg\n`)) await new Promise<void>((r) => tsv.once('drain', () => r()));
  }
  await new Promise<void>((r) => tsv.end(() => r()));
}

async function measure(label: string, captions: number, images: number): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'aptp-bench-import-'));
  await writeDataset(join(root, 'data'), captions, images);
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const ws = openWorkspace(join(root, 'workspace'));
  const t0 = performance.now();
  const summary = await importDataset(ws, { path: join(root, 'data') }, {}, { signal: new AbortController().signal, progress: () => {} });
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  ws.close();
  line(`${label}.captions`, captions);
  line(`${label}.images`, summary.totals.images);
  line(`${label}.seconds`, seconds);
  line(`${label}.rows_per_s`, captions / seconds);
  line(`${label}.images_per_s`, summary.totals.images / seconds);
  line(`${label}.rss_baseline_mib`, baseline / 2 ** 20);
  line(`${label}.rss_peak_growth_mib`, (peak - baseline) / 2 ** 20);
  rmSync(root, { recursive: true, force: true });
}

async function main(): Promise<void> {
  await measure('import_tenth', Math.round(CAPTIONS / 10), Math.round(IMAGES / 10));
  await measure('import_full', CAPTIONS, IMAGES);
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
