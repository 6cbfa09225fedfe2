// `aptp runs list|show|pause|resume|cancel|follow [ID]`: the terminal's view and remote over the
// workspace's runs (ids by unambiguous prefix). A run started here shows in the studio and the other
// way round; pause and cancel are requests the run's worker picks up within a second.
import { routingSummary, type RoutingSummary } from '../../engine/aptp/routing-map/routing-summary';
import { readRun, requestRun, resumeRun } from '../../engine/runs/launcher';
import { markDeadWorkers } from '../../engine/runs/liveness';
import type { Run } from '../../engine/store/repositories/runs';
import { openWorkspace, type Workspace } from '../../engine/store/workspace';
import { UsageError, type CliCommand } from '../command';
import { table } from '../format';
import { flag, intOption, stringOption } from '../options';
import { followInTerminal } from '../run-follow';
import { routingRows } from '../routing-rows';

const USAGE = 'aptp runs list [--limit N] [--json] | runs show ID [--json] | runs pause|resume|cancel|follow ID';
const SUBCOMMANDS = ['list', 'show', 'pause', 'resume', 'cancel', 'follow'] as const;
type Sub = (typeof SUBCOMMANDS)[number];

const progressText = (r: Run): string => (r.progress.total > 0 ? `${r.progress.done}/${r.progress.total}` : '-');
const when = (iso: string | null): string => (iso ? iso.replace('T', ' ').slice(0, 19) : '-');

function printList(ws: Workspace, limit: number, json: boolean): void {
  markDeadWorkers(ws);
  const runs = ws.runs.list(limit);
  if (json) {
    process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
    return;
  }
  if (runs.length === 0) {
    process.stdout.write('no runs in this workspace yet\n');
    return;
  }
  const rows = runs.map((r) => [r.id.slice(0, 8), r.kind, r.status, progressText(r), when(r.createdAt)]);
  const head = ['ID', 'KIND', 'STATUS', 'PROGRESS', 'CREATED'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  for (const row of [head, ...rows]) process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()}\n`);
}

function printRun(ws: Workspace, run: Run, json: boolean): void {
  const routing = routingSummary(ws, run.id);
  if (json) {
    process.stdout.write(`${JSON.stringify(routing ? { ...run, routing } : run, null, 2)}\n`);
    return;
  }
  const error = run.error as { message?: string } | null;
  const rows: [string, string][] = [
    ['run', `${run.id} (${run.kind})`],
    ['status', `${run.status}${run.requested ? ` (${run.requested} requested)` : ''}`],
    ['progress', `${progressText(run)}${run.progress.detail ? `  ${run.progress.detail}` : ''}`],
    ['created', when(run.createdAt)],
    ['started', when(run.startedAt)],
    ['finished', when(run.finishedAt)],
    ['workers', `${run.attempts}${run.pid ? ` (pid ${run.pid}, heartbeat ${((Date.now() - (run.heartbeatAt ?? 0)) / 1000).toFixed(0)}s ago)` : ''}`],
    ['config', JSON.stringify(run.config)],
    ...(run.resource ? [['writes', run.resource] as [string, string]] : []),
    ...(error ? [['error', error.message ?? JSON.stringify(error)] as [string, string]] : []),
    ...(run.result !== null ? [['result', JSON.stringify(run.result)] as [string, string]] : []),
    ...routingRows(routing, budgetMacsOf(run, routing)),
  ];
  process.stdout.write(`${table(rows)}\n`);
}

/** A pruning run's budget in MACs (its config's fraction of the unpruned UNet), when it has one. */
function budgetMacsOf(run: Run, routing: RoutingSummary | undefined): number | undefined {
  const budget = run.config['budget'];
  return routing && typeof budget === 'number' ? budget * routing.baseMacs : undefined;
}

async function control(ws: Workspace, sub: Exclude<Sub, 'list' | 'show' | 'follow'>, run: Run): Promise<number> {
  if (sub === 'resume') {
    const resumed = resumeRun(ws, run.id);
    process.stdout.write(`resumed run ${resumed.id.slice(0, 8)} (${resumed.kind}); \`aptp runs follow ${resumed.id.slice(0, 8)}\` shows it\n`);
    return 0;
  }
  if (!requestRun(ws, run.id, sub)) {
    process.stderr.write(`aptp: run ${run.id.slice(0, 8)} is ${readRun(ws, run.id).status}; nothing to ${sub}\n`);
    return 1;
  }
  process.stdout.write(`${sub === 'pause' ? 'pause' : 'cancel'} requested for run ${run.id.slice(0, 8)}; it is ${readRun(ws, run.id).status}\n`);
  return 0;
}

export const runsCommand: CliCommand = {
  name: 'runs',
  summary: 'List, follow, pause, resume and cancel runs (imports, preparations, trainings)',
  usage: USAGE,
  options: { limit: { type: 'string' }, json: { type: 'boolean' }, workspace: { type: 'string' } },
  optionHelp: {
    limit: 'list: how many runs, newest first (default 20)',
    json: 'list/show: print JSON',
    workspace: 'workspace folder (default $APTP_WORKSPACE or ~/aptp-studio)',
  },
  maxPositionals: 2,
  async run(args) {
    const [sub, ref] = args.positionals as [string | undefined, string | undefined];
    if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub)) throw new UsageError(`expected ${SUBCOMMANDS.join(', ')}; usage: ${USAGE}`);
    if (sub !== 'list' && !ref) throw new UsageError(`runs ${sub} needs a run id (or its first characters); \`aptp runs list\` shows them`);
    const ws = openWorkspace(stringOption(args, 'workspace'));
    try {
      if (sub === 'list') {
        printList(ws, intOption(args, 'limit', 1, 100_000) ?? 20, flag(args, 'json'));
        return 0;
      }
      const run = ws.runs.byPrefix(ref!);
      if (sub === 'show') {
        printRun(ws, readRun(ws, run.id), flag(args, 'json'));
        return 0;
      }
      if (sub === 'follow') {
        const done = await followInTerminal(ws, run.id, run.kind, 'stop-following');
        process.stdout.write(`run ${done.id.slice(0, 8)} completed\n`);
        return 0;
      }
      return await control(ws, sub as 'pause' | 'resume' | 'cancel', run);
    } finally {
      ws.close();
    }
  },
};
