// The Routing view's StudioApi handlers over the routing tables (migration 4) and the cached prompt
// map projection. The projection of a dataset seen for the first time is computed here, in the
// engine host, in slices that keep the host answering other requests.
import type { StudioHandlers } from '../../shared/studio-api';
import { expensivePromptsOf, routingMapOf } from '../aptp/routing-map';
import { RoutingRepository } from '../store/repositories/routing';
import type { Workspace } from '../store/workspace';

type RoutingHandlers = Pick<StudioHandlers, 'routingRuns' | 'routingMap' | 'expertPrompts' | 'expensivePrompts'>;

export function routingHandlers(workspace: () => Workspace): RoutingHandlers {
  return {
    routingRuns: async () => ({ runs: new RoutingRepository(workspace().db).routedRuns() }),
    routingMap: ({ runId }) => routingMapOf(workspace(), runId),
    expertPrompts: async ({ runId, expert, offset, limit }) => {
      const { total, prompts } = new RoutingRepository(workspace().db).expertPrompts(runId, expert, offset, limit);
      return { total, prompts: prompts.map((p) => ({ itemId: p.itemId, expert: p.expert, prompt: p.caption, margin: p.margin })) };
    },
    expensivePrompts: async ({ runId, limit, words }) => expensivePromptsOf(workspace(), runId, limit, words),
  };
}
