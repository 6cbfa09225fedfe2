// `aptp data import DIR`: import a dataset into the workspace manifest (format detected or chosen,
// caption column mapped; a run in its own worker process, followed here: progress, Ctrl-C cancels).
// A path that is not plainly one dataset (a single image, a folder whose metadata is nested) is
// refused before a run is recorded, with the exact command or flag to pass.
import { resolve } from 'node:path';
import { captionColumnsHint } from '../../../engine/data/report';
import { checkDatasetPath, detectDataset } from '../../../engine/data/detect';
import { DATASET_FORMATS, type DatasetFormat } from '../../../engine/data/types';
import { DatasetRepository } from '../../../engine/store/repositories/datasets';
import type { Workspace } from '../../../engine/store/workspace';
import { UsageError, type CliCommand, type ParsedArgs } from '../../command';
import { table } from '../../format';
import { intOption, stringOption } from '../../options';
import { didYouMean } from '../../suggest';
import { droppedText, printReport, runAndFollow, withWorkspace, workspaceHelp, workspaceOption } from './common';

interface ImportResult {
  readonly datasetId: string;
  readonly checked: number;
  readonly unchanged: number;
  readonly removed: number;
  readonly rechecked?: boolean;
  readonly dropped?: Record<string, number>;
  readonly detection: { format: string; reason: string; columns?: string[]; mapping: { captionColumn?: string } };
}

function formatOption(args: ParsedArgs): DatasetFormat | undefined {
  const format = stringOption(args, 'format');
  if (format && !(DATASET_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format '${format}' is not a format${didYouMean(format, DATASET_FORMATS)}; use one of ${DATASET_FORMATS.join(', ')}`);
  }
  return format as DatasetFormat | undefined;
}

async function runImport(ws: Workspace, args: ParsedArgs, dir: string): Promise<number> {
  const format = formatOption(args);
  const captionColumn = stringOption(args, 'caption-column');
  const file = stringOption(args, 'file');
  const name = stringOption(args, 'name');
  const minSide = intOption(args, 'min-side', 1, 65536);
  const config = { path: resolve(dir), ...(format ? { format } : {}), ...(captionColumn ? { captionColumn } : {}), ...(file ? { file: resolve(file) } : {}), ...(name ? { name } : {}), ...(minSide ? { minSide } : {}) };
  // Refused here, before a run is recorded: a path that does not exist, a single file that is not
  // a prompts file the user chose, a folder that is not plainly one dataset.
  await checkDatasetPath({ path: config.path, ...(format ? { format } : {}) });
  await detectDataset({ path: config.path, ...(format ? { format } : {}), ...(file ? { file: config.file } : {}) });
  const summary = (await runAndFollow(ws, 'importDataset', config, 'importing')) as ImportResult;
  const d = summary.detection;
  process.stdout.write(`${table([
    ['format', `${d.format} (${d.reason})`],
    ...(d.columns ? [['mapping', captionColumnsHint(d.columns, d.mapping.captionColumn)] as [string, string]] : []),
    ['checked', `${summary.checked} new or changed, ${summary.unchanged} unchanged, ${summary.removed} removed${summary.rechecked ? ' (validation settings changed: every item checked again)' : ''}`],
    ['left out', droppedText(summary.dropped ?? {})],
  ])}\n`);
  printReport(ws, new DatasetRepository(ws.db).get(summary.datasetId)!, undefined, 0);
  return 0;
}

export const dataImportCommand: CliCommand = {
  name: 'data import',
  summary: 'Import a dataset folder (or prompts file): detect the format, validate every item, never write into it',
  usage: 'aptp data import DIR [--format F] [--caption-column C] [--file F] [--name N] [--min-side PX]',
  options: { format: { type: 'string' }, 'caption-column': { type: 'string' }, file: { type: 'string' }, name: { type: 'string' }, 'min-side': { type: 'string' }, ...workspaceOption },
  optionHelp: {
    format: `force a format (${DATASET_FORMATS.join(', ')}); detected by default`,
    'caption-column': 'the metadata column holding captions (default text, prompt or caption)',
    file: 'the COCO annotations JSON or CC3M TSV to read',
    name: 'dataset name (default: the folder name)',
    'min-side': 'smallest acceptable shorter side in pixels (default 256); a new value re-checks every item',
    ...workspaceHelp,
  },
  maxPositionals: 1,
  async run(args) {
    const [dir] = args.positionals;
    if (!dir) throw new UsageError('data import needs the dataset folder (or prompts file); usage: aptp data import DIR');
    formatOption(args);
    return withWorkspace(args, (ws) => runImport(ws, args, dir));
  },
};
