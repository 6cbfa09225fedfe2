// `aptp world judge IMAGES [--judge DIR] [--reference DIR]`: the world's judge reads each image's
// shapes, colours, object count and text; where the folder's metadata.jsonl holds each image's scene
// (world datasets, world benchmark outputs) it prints prompt fidelity per category, and with
// --reference the Fréchet distance of judge features between the two folders. Offline stand-ins
// for CLIP score and FID, and printed as such.
import { resolve } from 'node:path';
import { builtInWorld } from '../../engine/world/built-in';
import { frechetDistance } from '../../engine/world/frechet';
import { Judge } from '../../engine/world/judge';
import { judgeFolder } from '../../engine/world/judge-images';
import type { Reading } from '../../engine/world/judge-labels';
import { UsageError, type ParsedArgs } from '../command';
import { table } from '../format';
import { intOption, stringOption } from '../options';

const describe = (r: Reading): string =>
  [r.count ? `${r.count} object(s)` : 'no objects', r.shapes.join('/') || '-', r.colours.join('/') || '-', r.text ? `text ${r.text}` : ''].filter(Boolean).join(', ');

export async function runJudge(args: ParsedArgs, target: string): Promise<number> {
  const judgeDir = stringOption(args, 'judge') ?? builtInWorld().judgeDir;
  if (!judgeDir) throw new UsageError('no shipped world judge found; pass --judge DIR (the judge/ folder of a world model)');
  const judge = await Judge.load(resolve(judgeDir), { batch: 16 });
  try {
    const judged = await judgeFolder(judge, resolve(target));
    const limit = intOption(args, 'limit', 0, 1_000_000) ?? 20;
    const rows: [string, string][] = judged.images.slice(0, limit).map((i) => [i.file, `${describe(i.reading)}${i.correct === null ? '' : i.correct ? '  (matches its prompt)' : '  (does not match its prompt)'}`]);
    if (judged.fidelity) {
      for (const [k, v] of Object.entries(judged.fidelity.byDifficulty)) rows.push([`fidelity ${k}`, `${((100 * v.correct) / v.total).toFixed(1)}% of ${v.total}`]);
      for (const [k, v] of Object.entries(judged.fidelity.byKind)) rows.push([`fidelity ${k}`, `${((100 * v.correct) / v.total).toFixed(1)}% of ${v.total}`]);
    }
    const reference = stringOption(args, 'reference');
    if (reference) {
      const ref = await judgeFolder(judge, resolve(reference));
      rows.push(['judge Fréchet distance', `${frechetDistance(judged.features, ref.features).toFixed(3)} (to ${reference}, ${ref.images.length} images)`]);
    }
    rows.push(['note', "the world's judge is an offline stand-in for CLIP score / FID, trained on rendered world scenes; it is not those metrics"]);
    process.stdout.write(`${table(rows)}\n`);
    return 0;
  } finally {
    await judge.dispose();
  }
}
