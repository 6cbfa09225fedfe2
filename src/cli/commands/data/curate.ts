// `aptp data exclude|include DATASET KEY... | --problem P` and `aptp data export [DATASET] --to DIR`:
// curate a dataset (an excluded item stays in the report and out of preparation, training and
// export) and export its cleaned subset as an image folder with caption sidecars (a run, followed
// here; a non-empty folder is refused without --force, before the run is recorded).
import { resolve } from 'node:path';
import { checkExport, type ExportSummary } from '../../../engine/data/export-subset';
import { DatasetRepository } from '../../../engine/store/repositories/datasets';
import { DatasetReportRepository } from '../../../engine/store/repositories/datasets-report';
import { UsageError, type CliCommand } from '../../command';
import { printable, table } from '../../format';
import { flag, stringOption } from '../../options';
import { pickDataset, runAndFollow, withWorkspace, workspaceHelp, workspaceOption } from './common';
import { problemOption } from './report';

const MAX_KEYS = 10_000;

function exclusionCommand(excluded: boolean): CliCommand {
  const verb = excluded ? 'exclude' : 'include';
  return {
    name: `data ${verb}`,
    summary: excluded ? 'Leave items out of preparation, training and export (they stay in the report)' : 'Take excluded items back in',
    usage: `aptp data ${verb} DATASET KEY... | data ${verb} DATASET --problem P`,
    options: { problem: { type: 'string' }, ...workspaceOption },
    optionHelp: { problem: `every item of one report category (as \`data report --problem\`)`, ...workspaceHelp },
    maxPositionals: MAX_KEYS + 1,
    async run(args) {
      const [ref, ...keys] = args.positionals;
      const category = problemOption(args);
      if (!ref || (keys.length === 0 && !category)) throw new UsageError(`data ${verb} needs the dataset and item keys (or --problem P); usage: ${this.usage}`);
      return withWorkspace(args, async (ws) => {
        const d = pickDataset(ws, ref);
        const repo = new DatasetRepository(ws.db);
        const byKey = repo.idsOfKeys(d.id, keys);
        const missing = keys.filter((k) => !byKey.has(k));
        if (missing.length > 0) throw new UsageError(`${d.name} has no item ${missing.slice(0, 3).map((k) => `'${printable(k)}'`).join(', ')}${missing.length > 3 ? ` (and ${missing.length - 3} more)` : ''}; \`aptp data report ${d.id.slice(0, 8)} --problem ok\` lists keys`);
        const fromCategory = category
          ? new DatasetReportRepository(ws.db).items(d.id, { offset: 0, limit: 1_000_000, ...(category.problem ? { category: category.problem } : { flag: category.flag! }) }).items.map((i) => i.id)
          : [];
        const changed = repo.setExcluded(d.id, [...byKey.values(), ...fromCategory], excluded);
        process.stdout.write(`${changed} item(s) ${excluded ? 'excluded from' : 'included again in'} ${printable(d.name)}\n`);
        return 0;
      });
    },
  };
}

export const dataExcludeCommand = exclusionCommand(true);
export const dataIncludeCommand = exclusionCommand(false);

export const dataExportCommand: CliCommand = {
  name: 'data export',
  summary: 'Export the cleaned subset (usable, not duplicate, not excluded) as an image folder with caption sidecars',
  usage: 'aptp data export [DATASET] --to DIR [--force]',
  options: { to: { type: 'string' }, force: { type: 'boolean' }, ...workspaceOption },
  optionHelp: { to: 'the folder to create (must be empty or new)', force: 'replace a non-empty folder', ...workspaceHelp },
  maxPositionals: 1,
  async run(args) {
    const to = stringOption(args, 'to');
    if (!to) throw new UsageError('data export needs --to DIR (a new or empty folder)');
    return withWorkspace(args, async (ws) => {
      const d = pickDataset(ws, args.positionals[0]);
      const request = { datasetId: d.id, target: resolve(to), force: flag(args, 'force') };
      await checkExport(ws, request);
      const s = (await runAndFollow(ws, 'exportDataset', request, 'exporting')) as ExportSummary;
      process.stdout.write(`${table([
        ['exported', `${s.images} image(s) with caption sidecars to ${s.target}`],
        ['excluded', `${s.excluded} item(s) you excluded were left out`],
        ...(s.changed ? [['changed', `${s.changed} image(s) changed since import were left out: run \`aptp data import\` again`] as [string, string]] : []),
      ])}\n`);
      return 0;
    });
  },
};
