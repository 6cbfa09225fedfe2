// `aptp data list | show | rename | rm`: the workspace's datasets. Ids by unambiguous prefix (or
// name, or folder). `rm` removes the workspace's records and the caches only that dataset used;
// the dataset's own folder is never touched.
import { deleteDataset } from '../../../engine/data/delete-dataset';
import { DatasetRepository } from '../../../engine/store/repositories/datasets';
import { DatasetReportRepository } from '../../../engine/store/repositories/datasets-report';
import { UsageError, type CliCommand } from '../../command';
import { printable, table } from '../../format';
import { flag } from '../../options';
import { droppedText, pickDataset, withWorkspace, workspaceHelp, workspaceOption } from './common';

const when = (iso: string | null): string => (iso ? iso.replace('T', ' ').slice(0, 16) : '-');

export const dataListCommand: CliCommand = {
  name: 'data list',
  summary: 'List the datasets in the workspace',
  usage: 'aptp data list [--json]',
  options: { json: { type: 'boolean' }, ...workspaceOption },
  optionHelp: { json: 'print JSON', ...workspaceHelp },
  maxPositionals: 0,
  run: (args) => withWorkspace(args, async (ws) => {
    const report = new DatasetReportRepository(ws.db);
    const datasets = new DatasetRepository(ws.db).list().map((d) => ({ ...d, totals: report.totals(d.id) }));
    if (flag(args, 'json')) {
      process.stdout.write(`${JSON.stringify(datasets, null, 2)}\n`);
      return 0;
    }
    if (datasets.length === 0) {
      process.stdout.write('no datasets in this workspace yet; `aptp data import DIR` adds one\n');
      return 0;
    }
    const rows = datasets.map((d) => [d.id.slice(0, 8), printable(d.name), d.format, d.status, `${d.totals.usable}/${d.totals.items}`, when(d.importedAt), printable(d.root)]);
    const head = ['ID', 'NAME', 'FORMAT', 'STATUS', 'USABLE', 'IMPORTED', 'FOLDER'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    for (const row of [head, ...rows]) process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
    return 0;
  }),
};

export const dataShowCommand: CliCommand = {
  name: 'data show',
  summary: 'Show one dataset: folder, format, settings, counts and what the format left out',
  usage: 'aptp data show [DATASET] [--json]',
  options: { json: { type: 'boolean' }, ...workspaceOption },
  optionHelp: { json: 'print JSON', ...workspaceHelp },
  maxPositionals: 1,
  run: (args) => withWorkspace(args, async (ws) => {
    const d = pickDataset(ws, args.positionals[0]);
    const totals = new DatasetReportRepository(ws.db).totals(d.id);
    if (flag(args, 'json')) {
      process.stdout.write(`${JSON.stringify({ ...d, totals }, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(`${table([
      ['id', d.id], ['name', d.name], ['folder', d.root], ['format', d.format], ['status', d.status],
      ['imported', `${when(d.importedAt)} (import ${d.generation})`],
      ['settings', JSON.stringify(d.options)],
      ['items', `${totals.items}: ${totals.usable} usable, ${totals.excluded} excluded, ${totals.longCaptions} caption(s) over 77 tokens`],
      ['left out', droppedText(d.dropped)],
    ])}\n`);
    return 0;
  }),
};

export const dataRenameCommand: CliCommand = {
  name: 'data rename',
  summary: 'Rename a dataset (its folder is not touched)',
  usage: 'aptp data rename DATASET NEW_NAME',
  options: { ...workspaceOption },
  optionHelp: { ...workspaceHelp },
  maxPositionals: 2,
  async run(args) {
    const [ref, name] = args.positionals;
    if (!ref || !name?.trim()) throw new UsageError('data rename needs the dataset and its new name; usage: aptp data rename DATASET NEW_NAME');
    return withWorkspace(args, async (ws) => {
      const d = pickDataset(ws, ref);
      new DatasetRepository(ws.db).rename(d.id, name.trim());
      process.stdout.write(`renamed ${printable(d.name)} (${d.id.slice(0, 8)}) to ${printable(name.trim())}\n`);
      return 0;
    });
  },
};

export const dataRmCommand: CliCommand = {
  name: 'data rm',
  summary: 'Remove a dataset from the workspace: its records and caches, never its files',
  usage: 'aptp data rm DATASET',
  options: { ...workspaceOption },
  optionHelp: { ...workspaceHelp },
  maxPositionals: 1,
  async run(args) {
    const [ref] = args.positionals;
    if (!ref) throw new UsageError('data rm needs the dataset (id prefix, name or folder); `aptp data list` shows them');
    return withWorkspace(args, async (ws) => {
      const s = await deleteDataset(ws, pickDataset(ws, ref).id);
      process.stdout.write(`removed ${printable(s.dataset.name)} (${s.dataset.id.slice(0, 8)}): ${s.items} item record(s), ${s.cachedFiles} cached tensor file(s), ${s.thumbnails} thumbnail(s); ${printable(s.dataset.root)} was not touched\n`);
      return 0;
    });
  },
};
