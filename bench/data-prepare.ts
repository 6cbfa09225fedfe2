// Data benchmark: images per second for decode + resize (shorter side) + center crop + flip with
// sharp, at 512 px, over generated photo-like JPEGs (gaussian noise, 1024x768 and 768x1024), and
// the import validation path (header, hash, full decode, thumbnail) on the same files for
// reference. Prints `name: value` lines; no thresholds. Run: npx tsx bench/data-prepare.ts
// (BENCH_IMAGES, default 48). Not named *.bench.ts: bench/run.ts loads those as ONNX cases.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { checkImage, sha256 } from '../src/engine/data/image-check';
import { prepareImage, toModelInput } from '../src/engine/data/prepare-image';
import { DEFAULT_LIMITS } from '../src/engine/data/types';
import { line } from './report';
import { photo } from './synthetic-photo';

const COUNT = Number(process.env.BENCH_IMAGES ?? 48);


async function timeAll(label: string, n: number, concurrency: number, one: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await one(next++);
  }));
  const seconds = (performance.now() - t0) / 1000;
  line(`${label}.images_per_s`, n / seconds);
  return n / seconds;
}

async function main(): Promise<void> {
  const files = await Promise.all(Array.from({ length: COUNT }, (_, i) => photo(i)));
  const hashes = files.map((f) => sha256(f));
  const dir = mkdtempSync(join(tmpdir(), 'aptp-bench-data-'));
  const paths = files.map((f, i) => {
    const p = join(dir, `${i}.jpg`);
    writeFileSync(p, f);
    return p;
  });
  line('machine.cpus', cpus().length);
  line('sharp.libvips', sharp.versions.vips);
  line('data.images', COUNT);
  line('data.mean_jpeg_kib', files.reduce((a, f) => a + f.length, 0) / COUNT / 1024);
  const spec = { resolution: 512, crop: 'center', flip: true, seed: 0 } as const;
  const parallel = Math.max(2, cpus().length);
  await prepareImage(files[0]!, hashes[0]!, spec);
  const serial = await timeAll('prepare_512.serial', COUNT, 1, (i) => prepareImage(files[i]!, hashes[i]!, spec));
  const par = await timeAll(`prepare_512.concurrency_${parallel}`, COUNT, parallel, (i) => prepareImage(files[i]!, hashes[i]!, spec));
  line('prepare_512.parallel_speedup', par / serial);
  await timeAll('prepare_512_to_model_input.serial', COUNT, 1, async (i) => toModelInput(await prepareImage(files[i]!, hashes[i]!, spec)));
  await timeAll(`import_validate.concurrency_${parallel}`, COUNT, parallel, (i) => checkImage(paths[i]!, DEFAULT_LIMITS));
  line('vae_encode.images_per_s', 'see bench/data-vae.ts');
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
