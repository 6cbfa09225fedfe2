// `aptp data import DIR | report [DATASET] | prepare [DATASET] --model DIR`: import a dataset into
// the workspace manifest (format detected or chosen, caption column mapped; a run in its own worker
// process, followed here: progress, Ctrl-C cancels), print its validation report, and prepare the training cache at the model resolution:
// VAE latent distributions, text states and pooled prompt embeddings from the model's own encoders.
import { resolve } from 'node:path';
import { captionColumnsHint } from '../../engine/data/report';
import type { PrepareResult } from '../../engine/data/prepare-job';
import { checkDatasetPath } from '../../engine/data/detect';
import { CATEGORIES, DATASET_FORMATS, PROBLEMS, type DatasetFormat } from '../../engine/data/types';
import { startRun } from '../../engine/runs/launcher';
import { DatasetRepository, type DatasetRecord } from '../../engine/store/repositories/datasets';
import { DatasetReportRepository } from '../../engine/store/repositories/datasets-report';
import { openWorkspace, type Workspace } from '../../engine/store/workspace';
import { UsageError, type CliCommand, type ParsedArgs } from '../command';
import { printable, table } from '../format';
import { flag, intOption, stringOption } from '../options';
import { followInTerminal } from '../run-follow';

const USAGE = 'aptp data import DIR [--format F] [--caption-column C] | data report [DATASET] [--problem P] | data prepare [DATASET] --model DIR';

/** Starts a run of `kind` and follows it in the terminal (Ctrl-C cancels it); its result on success. */
async function runAndFollow(ws: Workspace, kind: string, config: Record<string, unknown>, label: string): Promise<unknown> {
  const run = await startRun(ws, kind, config);
  process.stderr.write(`run ${run.id.slice(0, 8)} (${kind}) started; Ctrl-C cancels it\n`);
  return (await followInTerminal(ws, run.id, label, 'cancel-run')).result;
}

function pickDataset(ws: Workspace, ref: string | undefined): DatasetRecord {
  const repo = new DatasetRepository(ws.db);
  const all = repo.list();
  if (all.length === 0) throw new UsageError('no dataset in this workspace yet; run `aptp data import DIR` first');
  if (!ref) return [...all].sort((a, b) => (b.importedAt ?? '').localeCompare(a.importedAt ?? ''))[0]!;
  const found = repo.get(ref) ?? repo.byRoot(resolve(ref)) ?? all.find((d) => d.name === ref);
  if (!found) throw new UsageError(`no dataset '${ref}'; known: ${all.map((d) => `${d.name} (${d.id.slice(0, 8)})`).join(', ')}`);
  return found;
}

/** The --problem category, checked against the known ones before anything is opened. */
function reportCategory(args: ParsedArgs): string | undefined {
  const problem = stringOption(args, 'problem');
  if (problem !== undefined && !(CATEGORIES as readonly string[]).includes(problem)) {
    throw new UsageError(`--problem '${printable(problem)}' is not a report category; use one of ${CATEGORIES.join(', ')}`);
  }
  return problem;
}

function printReport(ws: Workspace, dataset: DatasetRecord, problem: string | undefined, limit: number): void {
  const report = new DatasetReportRepository(ws.db);
  const totals = report.totals(dataset.id);
  const rows: [string, string][] = [
    ['dataset', `${dataset.name} (${dataset.id}), ${dataset.format}, ${dataset.status}`],
    ['folder', dataset.root],
    ['items', `${totals.items} (${totals.usable} usable, ${totals.distinctImages} distinct images, ${totals.repeatedItems} with repeats)`],
  ];
  for (const c of report.categories(dataset.id)) {
    rows.push([`  ${c.category}`, String(c.count)]);
  }
  process.stdout.write(`${table(rows)}\n`);
  if (!problem) return;
  const { total, items } = report.items(dataset.id, { offset: 0, limit, category: problem });
  process.stdout.write(`\n${problem}: ${total} item(s)${total > items.length ? `, first ${items.length}` : ''}\n`);
  for (const item of items) process.stdout.write(`  ${printable(item.key)}  ${printable(item.problemDetail ?? (item.duplicateOf ? `same image as ${item.duplicateOf}` : ''))}\n`);
}

interface ImportResult {
  readonly datasetId: string;
  readonly checked: number;
  readonly unchanged: number;
  readonly removed: number;
  readonly detection: { format: string; reason: string; columns?: string[]; mapping: { captionColumn?: string } };
}

async function runImport(ws: Workspace, args: ParsedArgs, dir: string): Promise<number> {
  const format = stringOption(args, 'format');
  if (format && !(DATASET_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${DATASET_FORMATS.join(', ')}`);
  const captionColumn = stringOption(args, 'caption-column');
  const file = stringOption(args, 'file');
  const name = stringOption(args, 'name');
  const minSide = intOption(args, 'min-side', 1, 65536);
  const config = { path: resolve(dir), ...(format ? { format } : {}), ...(captionColumn ? { captionColumn } : {}), ...(file ? { file: resolve(file) } : {}), ...(name ? { name } : {}), ...(minSide ? { minSide } : {}) };
  // A single file must be a prompts file the user chose: refused here, before a run is recorded.
  await checkDatasetPath({ path: config.path, ...(format ? { format: format as DatasetFormat } : {}) });
  const summary = (await runAndFollow(ws, 'importDataset', config, 'importing')) as ImportResult;
  const d = summary.detection;
  process.stdout.write(`${table([
    ['format', `${d.format} (${d.reason})`],
    ...(d.columns ? [['mapping', captionColumnsHint(d.columns, d.mapping.captionColumn)] as [string, string]] : []),
    ['checked', `${summary.checked} new or changed, ${summary.unchanged} unchanged, ${summary.removed} removed`],
  ])}\n`);
  printReport(ws, new DatasetRepository(ws.db).get(summary.datasetId)!, undefined, 0);
  return 0;
}

const counts = (s: PrepareResult, kind: string): string => `${s.written[kind] ?? 0} written, ${s.reused[kind] ?? 0} already cached`;

async function runPrepare(ws: Workspace, args: ParsedArgs, ref: string | undefined): Promise<number> {
  const model = stringOption(args, 'model');
  if (!model) throw new UsageError('data prepare needs --model DIR (a diffusers folder)');
  const dataset = pickDataset(ws, ref);
  const crop = stringOption(args, 'crop') ?? 'center';
  if (crop !== 'center' && crop !== 'random') throw new UsageError("--crop must be 'center' or 'random'");
  const resolution = intOption(args, 'resolution', 64, 4096);
  const imageBatch = intOption(args, 'batch', 1, 256);
  const storePixels = flag(args, 'pixels');
  const verify = flag(args, 'verify') ? 'sha256' : 'size';
  const config = {
    datasetId: dataset.id, modelDir: resolve(model), crop, flip: flag(args, 'flip'), seed: intOption(args, 'seed', 0, 2 ** 31) ?? 0, pixels: storePixels, verify,
    ...(resolution ? { resolution } : {}), ...(imageBatch ? { imageBatch } : {}),
  };
  const summary = (await runAndFollow(ws, 'prepareDataset', config, 'preparing')) as PrepareResult;
  process.stdout.write(`${table([
    ['dataset', `${dataset.name}: ${summary.items} usable items at ${summary.resolution}px, ${crop} crop${config.flip ? ', flipped' : ''}`],
    ['latents', `${counts(summary, 'latent')} (VAE ${summary.latentModel}; mean and logvar, sampled per epoch)`],
    ...(storePixels ? [['pixels', counts(summary, 'pixels')] as [string, string]] : []),
    ['text states', `${counts(summary, 'text-states')} (${summary.textModel})`],
    ['prompt embeddings', `${counts(summary, 'prompt-embedding')} (${summary.promptEncoder})`],
    ['truncated', `${summary.truncatedCaptions} caption(s) longer than the text encoder's 77 tokens were cut`],
    ['stale', summary.stale ? `${summary.stale} image(s) changed since import: run \`aptp data import\` again` : '0'],
    ['repaired', `${summary.repaired} cached file(s) missing, truncated or changed were rebuilt (checked by ${verify})`],
    ...(summary.leftoversRemoved ? [['cleaned', `${summary.leftoversRemoved} temporary file(s) of an interrupted run removed`] as [string, string]] : []),
  ])}\n`);
  return 0;
}

export const dataCommand: CliCommand = {
  name: 'data',
  summary: 'Import an image-caption dataset, report what is wrong with it, prepare the training cache',
  usage: USAGE,
  options: {
    format: { type: 'string' }, 'caption-column': { type: 'string' }, file: { type: 'string' }, name: { type: 'string' }, 'min-side': { type: 'string' },
    problem: { type: 'string' }, limit: { type: 'string' },
    model: { type: 'string' }, resolution: { type: 'string' }, crop: { type: 'string' }, flip: { type: 'boolean' }, seed: { type: 'string' }, batch: { type: 'string' }, pixels: { type: 'boolean' }, verify: { type: 'boolean' },
    workspace: { type: 'string' },
  },
  optionHelp: {
    format: `import: force a format (${DATASET_FORMATS.join(', ')}); detected by default`,
    'caption-column': 'import: the metadata column holding captions (default text, prompt or caption)',
    file: 'import: the COCO annotations JSON or CC3M TSV to read',
    name: 'import: dataset name (default: the folder name)',
    'min-side': 'import: smallest acceptable shorter side in pixels (default 256)',
    problem: `report: list the items in one category (${Object.keys(PROBLEMS).join(', ')}, duplicate, ok)`,
    limit: 'report: how many items to list (default 50)',
    model: 'prepare: the diffusers model folder the cache is for',
    resolution: 'prepare: square side in pixels (default: the model\'s, else 512)',
    crop: 'prepare: center (default) or random (seeded)',
    flip: 'prepare: flip horizontally',
    seed: 'prepare: seed of random crops (default 0)',
    batch: 'prepare: images per VAE run (default 4)',
    pixels: 'prepare: also cache the cropped pixels (uint8)',
    verify: 'prepare: check every cached file by sha256 before reusing it (default: by size), rebuilding what differs',
    workspace: 'workspace folder (default $APTP_WORKSPACE or ~/aptp-studio)',
  },
  maxPositionals: 2,
  async run(args) {
    const [sub, target] = args.positionals;
    if (sub !== 'import' && sub !== 'report' && sub !== 'prepare') throw new UsageError(`expected import, report or prepare; usage: ${USAGE}`);
    if (sub === 'import' && !target) throw new UsageError('data import needs the dataset folder (or prompts file)');
    const category = sub === 'report' ? reportCategory(args) : undefined;
    const ws = openWorkspace(stringOption(args, 'workspace'));
    try {
      if (sub === 'import') return await runImport(ws, args, target!);
      if (sub === 'prepare') return await runPrepare(ws, args, target);
      printReport(ws, pickDataset(ws, target), category, intOption(args, 'limit', 1, 1_000_000) ?? 50);
      return 0;
    } finally {
      ws.close();
    }
  },
};
