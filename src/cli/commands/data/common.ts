// What the `aptp data` subcommands share: the workspace option, finding a dataset by id, id
// prefix, name or folder (an ambiguous prefix names the candidates), starting a run and following
// it in the terminal, and the validation report as a table.
import { resolve } from 'node:path';
import { startRun } from '../../../engine/runs/launcher';
import { DatasetRepository, type DatasetRecord } from '../../../engine/store/repositories/datasets';
import { DatasetReportRepository } from '../../../engine/store/repositories/datasets-report';
import { DROP_REASONS, type DropReason } from '../../../engine/data/dropped';
import { openWorkspace, type Workspace } from '../../../engine/store/workspace';
import { UsageError, type ParsedArgs } from '../../command';
import { printable, table } from '../../format';
import { stringOption } from '../../options';
import { followInTerminal } from '../../run-follow';

export const workspaceOption = { workspace: { type: 'string' } } as const;
export const workspaceHelp = { workspace: 'workspace folder (default $APTP_WORKSPACE or ~/aptp-studio)' };

/** Opens the workspace the arguments name, runs `work`, and always closes it. */
export async function withWorkspace<T>(args: ParsedArgs, work: (ws: Workspace) => Promise<T>): Promise<T> {
  const ws = openWorkspace(stringOption(args, 'workspace'));
  try {
    return await work(ws);
  } finally {
    ws.close();
  }
}

/** Starts a run of `kind` and follows it in the terminal (Ctrl-C cancels it); its result on success. */
export async function runAndFollow(ws: Workspace, kind: string, config: Record<string, unknown>, label: string): Promise<unknown> {
  const run = await startRun(ws, kind, config);
  process.stderr.write(`run ${run.id.slice(0, 8)} (${kind}) started; Ctrl-C cancels it\n`);
  return (await followInTerminal(ws, run.id, label, 'cancel-run')).result;
}

const describe = (d: DatasetRecord): string => `${d.name} (${d.id.slice(0, 8)})`;

/** The dataset `ref` names (id, id prefix, name, folder); without `ref`, the most recently imported. */
export function pickDataset(ws: Workspace, ref: string | undefined): DatasetRecord {
  const repo = new DatasetRepository(ws.db);
  const all = repo.list();
  if (all.length === 0) throw new UsageError('no dataset in this workspace yet; run `aptp data import DIR` first');
  if (!ref) return [...all].sort((a, b) => (b.importedAt ?? '').localeCompare(a.importedAt ?? ''))[0]!;
  const match = repo.match(ref, resolve(ref));
  if (match.kind === 'one') return match.dataset;
  if (match.kind === 'ambiguous') {
    throw new UsageError(`'${printable(ref)}' names ${match.candidates.length} datasets: ${match.candidates.map(describe).join(', ')}; type more of the id`);
  }
  throw new UsageError(`no dataset '${printable(ref)}'; known: ${all.map(describe).join(', ')} (\`aptp data list\`)`);
}

export function droppedText(dropped: Readonly<Record<string, number>>): string {
  const parts = Object.entries(dropped).filter(([, n]) => n > 0).map(([reason, n]) => `${n} ${DROP_REASONS[reason as DropReason] ?? reason}`);
  return parts.length ? parts.join(', ') : 'none';
}

export function printReport(ws: Workspace, dataset: DatasetRecord, category: { problem?: string; flag?: 'excluded' | 'long-caption' } | undefined, limit: number): void {
  const report = new DatasetReportRepository(ws.db);
  const totals = report.totals(dataset.id);
  const rows: [string, string][] = [
    ['dataset', `${dataset.name} (${dataset.id}), ${dataset.format}, ${dataset.status}`],
    ['folder', dataset.root],
    ['items', `${totals.items} (${totals.usable} usable, ${totals.distinctImages} distinct images, ${totals.repeatedItems} with repeats)`],
    ['excluded', `${totals.excluded} item(s) you excluded`],
    ['long captions', `${totals.longCaptions} caption(s) over the text encoder's 77 tokens (cut in training; \`--problem long-caption\` lists them)`],
    ['left out', droppedText(dataset.dropped)],
  ];
  for (const c of report.categories(dataset.id)) rows.push([`  ${c.category}`, String(c.count)]);
  process.stdout.write(`${table(rows)}\n`);
  if (!category) return;
  const name = category.problem ?? category.flag!;
  const { total, items } = report.items(dataset.id, { offset: 0, limit, ...(category.problem ? { category: category.problem } : { flag: category.flag! }) });
  process.stdout.write(`\n${name}: ${total} item(s)${total > items.length ? `, first ${items.length}` : ''}\n`);
  for (const item of items) {
    const why = item.problemDetail ?? (item.duplicateOf ? `same image as ${item.duplicateOf}` : item.captionTokens !== null && category.flag === 'long-caption' ? `${item.captionTokens}${item.captionTokensExact ? '' : '+'} tokens` : '');
    process.stdout.write(`  ${printable(item.key)}  ${printable(why)}\n`);
  }
}
