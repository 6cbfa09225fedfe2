// The routing a pruning run recorded, as table rows for the command line: each expert's MACs and
// prompts, and the MACs a prompt costs on average on its expert against the budget.
import type { RoutingSummary } from '../engine/aptp/routing-map/routing-summary';

const mmacs = (macs: number): string => `${(macs / 1e6).toFixed(1)} MMACs`;

export function routingRows(summary: RoutingSummary | undefined, budgetMacs?: number): [string, string][] {
  if (!summary) return [];
  const budget = budgetMacs === undefined ? '' : ` (budget ${mmacs(budgetMacs)})`;
  return [
    ['experts', summary.experts.map((e) => `#${e.expert} ${mmacs(e.macs)}: ${e.prompts} prompts`).join(', ')],
    ['routed', `${mmacs(summary.routedMacs)} per prompt on average over the ${summary.prompts} prompts${budget}, of ${mmacs(summary.baseMacs)} unpruned`],
  ];
}
