// What a pruning run's recorded routing amounts to, for the command line (`aptp prune` at its end,
// `aptp runs show`) and the world demo: each expert's MACs, code bias and how many of the dataset's
// prompts go to it, and the MACs a prompt costs on average when every prompt runs on its expert,
// the figure the budget bounds. Undefined while the run has routed nothing.
import { RoutingRepository } from '../../store/repositories/routing';
import type { Workspace } from '../../store/workspace';

export interface RoutedExpertSummary {
  readonly expert: number;
  readonly macs: number;
  readonly bias: number;
  readonly prompts: number;
}

export interface RoutingSummary {
  /** MACs of the whole unpruned UNet per step. */
  readonly baseMacs: number;
  readonly experts: readonly RoutedExpertSummary[];
  /** Prompts routed. */
  readonly prompts: number;
  /** Mean MACs of the expert each routed prompt goes to. */
  readonly routedMacs: number;
}

export function routingSummary(ws: Workspace, runId: string): RoutingSummary | undefined {
  const repo = new RoutingRepository(ws.db);
  const run = repo.run(runId);
  if (!run) return undefined;
  const counts = new Map<number, number>();
  for (const a of repo.assignments(runId)) counts.set(a.expert, (counts.get(a.expert) ?? 0) + 1);
  const experts = repo.experts(runId).map((e) => ({ expert: e.expert, macs: e.macs, bias: e.bias, prompts: counts.get(e.expert) ?? 0 }));
  const prompts = experts.reduce((n, e) => n + e.prompts, 0);
  const routedMacs = prompts === 0 ? 0 : experts.reduce((sum, e) => sum + e.macs * e.prompts, 0) / prompts;
  return { baseMacs: run.baseMacs, experts, prompts, routedMacs };
}
