// `aptp data report [DATASET] [--problem P]`: what is wrong with a dataset, in total and, for one
// category (or the excluded / long-caption flags), item by item. An unknown --problem is refused
// (with the nearest name) before anything is opened.
import { CATEGORIES } from '../../../engine/data/types';
import { ITEM_FLAGS, type ItemFlag } from '../../../engine/store/repositories/datasets-report';
import { UsageError, type CliCommand, type ParsedArgs } from '../../command';
import { printable } from '../../format';
import { intOption, stringOption } from '../../options';
import { didYouMean } from '../../suggest';
import { pickDataset, printReport, withWorkspace, workspaceHelp, workspaceOption } from './common';

const CHOICES: readonly string[] = [...CATEGORIES, ...ITEM_FLAGS];

/** The --problem category or flag, checked against the known ones. */
export function problemOption(args: ParsedArgs): { problem?: string; flag?: ItemFlag } | undefined {
  const problem = stringOption(args, 'problem');
  if (problem === undefined) return undefined;
  if (!CHOICES.includes(problem)) {
    throw new UsageError(`--problem '${printable(problem)}' is not a report category${didYouMean(problem, CHOICES)}; use one of ${CHOICES.join(', ')}`);
  }
  return (ITEM_FLAGS as readonly string[]).includes(problem) ? { flag: problem as ItemFlag } : { problem };
}

export const dataReportCommand: CliCommand = {
  name: 'data report',
  summary: 'Print what is wrong with a dataset, in total and per item of one category',
  usage: 'aptp data report [DATASET] [--problem P] [--limit N]',
  options: { problem: { type: 'string' }, limit: { type: 'string' }, ...workspaceOption },
  optionHelp: {
    problem: `list the items of one category: ${CHOICES.join(', ')}`,
    limit: 'how many items to list (default 50)',
    ...workspaceHelp,
  },
  maxPositionals: 1,
  async run(args) {
    const category = problemOption(args);
    const limit = intOption(args, 'limit', 1, 1_000_000) ?? 50;
    return withWorkspace(args, async (ws) => {
      printReport(ws, pickDataset(ws, args.positionals[0]), category, limit);
      return 0;
    });
  },
};
