// The text readers on the inputs that used to be quadratic (issue 13.5): a prompts file with no
// newline at all, and a metadata CSV whose one unmatched quote leaves a field open to the end. Each
// case runs at a quarter of the size and at full size, with a plain read of the same file (the
// reference: bytes through createReadStream, nothing parsed) in the same run. Linear readers keep
// `ratio_over_raw` about equal at both sizes and `growth` (seconds at full / seconds at a quarter)
// near 4; a quadratic one shows about 16. Defaults: 64 MiB with no newline, 40,000 CSV lines
// (BENCH_NO_NEWLINE_MIB, BENCH_CSV_LINES). Prints `name: value` lines; no thresholds.
// Run: npx tsx bench/data-readers.ts
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsv, readLines } from '../src/engine/data/lines';
import { line } from './report';

const NO_NEWLINE_MIB = Number(process.env.BENCH_NO_NEWLINE_MIB ?? 64);
const CSV_LINES = Number(process.env.BENCH_CSV_LINES ?? 40_000);

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await work();
  return (performance.now() - t0) / 1000;
}

async function rawRead(path: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) n += chunk.length;
  return n;
}

async function drain(records: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const _ of records) n++;
  return n;
}

interface Case {
  readonly name: string;
  write(path: string, scale: number): void;
  read(path: string): Promise<number>;
}

const cases: Case[] = [
  {
    name: 'no_newline_prompts',
    write: (path, scale) => writeFileSync(path, Buffer.alloc(Math.round(NO_NEWLINE_MIB * scale * 2 ** 20), 'a')),
    read: (path) => drain(readLines(path)),
  },
  {
    name: 'csv_unmatched_quote',
    write: (path, scale) => {
      const rows = Array.from({ length: Math.round(CSV_LINES * scale) }, (_, i) => `images/${i}.jpg,a photograph of a harbour at dawn with boats, number ${i}`);
      rows[1] = 'images/1.jpg,"an opening quote that never closes';
      writeFileSync(path, `file_name,text\n${rows.join('\n')}\n`);
    },
    read: (path) => drain(readCsv(path)),
  },
];

/** One untimed run at a sixteenth of the size, so the JIT has compiled the reader before timing. */
async function warmUp(dir: string, c: Case): Promise<void> {
  const path = join(dir, `${c.name}-warm`);
  c.write(path, 1 / 16);
  await c.read(path);
  rmSync(path);
}

async function measure(dir: string, c: Case, label: string, scale: number): Promise<number> {
  const path = join(dir, `${c.name}-${label}`);
  c.write(path, scale);
  const bytes = await rawRead(path);
  const raw = Math.min(await seconds(() => rawRead(path)), await seconds(() => rawRead(path)));
  let records = 0;
  const ours = await seconds(async () => (records = await c.read(path)));
  line(`${c.name}.${label}.mib`, bytes / 2 ** 20);
  line(`${c.name}.${label}.records`, records);
  line(`${c.name}.${label}.seconds`, ours);
  line(`${c.name}.${label}.mib_per_s`, bytes / 2 ** 20 / ours);
  line(`${c.name}.${label}.raw_read_seconds`, raw);
  line(`${c.name}.${label}.ratio_over_raw`, ours / raw);
  rmSync(path);
  return ours;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'aptp-bench-readers-'));
  try {
    for (const c of cases) {
      await warmUp(dir, c);
      const quarter = await measure(dir, c, 'quarter', 0.25);
      const full = await measure(dir, c, 'full', 1);
      line(`${c.name}.growth_full_over_quarter`, full / quarter);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
