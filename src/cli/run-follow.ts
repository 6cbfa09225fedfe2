// Following a run in the terminal: a live progress bar drawn from the workspace database until the
// run stops. Ctrl-C either asks the run to cancel and keeps following until it has (`data import`,
// `data prepare`: the run is the command) or only stops following (`runs follow`: the run goes on).
// The run's end becomes the command's outcome: its result, or an EngineError (cancelled: exit 130).
import { EngineError, type EngineErrorCode } from '../engine/core/errors';
import { requestRun } from '../engine/runs/launcher';
import { followRun } from '../engine/runs/watch';
import type { Run } from '../engine/store/repositories/runs';
import type { Workspace } from '../engine/store/workspace';
import { progressBar, type ProgressBar } from './progress';

export type SigintMeans = 'cancel-run' | 'stop-following';

const short = (id: string): string => id.slice(0, 8);

/** Follows `runId` with a bar on stderr; resolves with the run once it completed, else throws. */
export async function followInTerminal(ws: Workspace, runId: string, label: string, sigint: SigintMeans): Promise<Run> {
  let bar: ProgressBar | undefined;
  let barTotal = -1;
  let leave: (() => void) | undefined;
  const left = new Promise<'left'>((resolve) => (leave = () => resolve('left')));
  const onSigint = (): void => {
    if (sigint === 'cancel-run') {
      if (requestRun(ws, runId, 'cancel')) process.stderr.write(`\ncancelling run ${short(runId)}...\n`);
    } else {
      leave?.();
    }
  };
  process.on('SIGINT', onSigint);
  try {
    const outcome = await Promise.race([
      followRun(ws, runId, (run) => {
        if (run.progress.total === 0) return;
        if (run.progress.total !== barTotal) {
          bar = progressBar(label, run.progress.total);
          barTotal = run.progress.total;
        }
        bar?.update(run.progress.done, run.progress.detail);
      }),
      left,
    ]);
    if (outcome === 'left') {
      process.stderr.write(`\nstopped following; run ${short(runId)} goes on (\`aptp runs follow ${short(runId)}\`, \`aptp runs cancel ${short(runId)}\`)\n`);
      throw new EngineError('cancelled', 'Stopped following.', { runId });
    }
    return endOf(outcome, () => bar?.finish());
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function endOf(run: Run, finishBar: () => void): Run {
  switch (run.status) {
    case 'completed':
      finishBar();
      return run;
    case 'cancelled':
      throw new EngineError('cancelled', `Run ${short(run.id)} was cancelled; its finished steps are kept.`, { runId: run.id });
    case 'paused':
      throw new EngineError('cancelled', `Run ${short(run.id)} is paused; \`aptp runs resume ${short(run.id)}\` continues it.`, { runId: run.id });
    case 'interrupted':
      throw new EngineError('runtime-failure', `The worker of run ${short(run.id)} stopped without finishing; \`aptp runs resume ${short(run.id)}\` continues it (its log: checkpoints/${run.id}/worker.log).`, { runId: run.id });
    default: {
      const error = run.error as { code?: string; message?: string } | null;
      throw new EngineError((error?.code ?? 'runtime-failure') as EngineErrorCode, error?.message ?? `Run ${short(run.id)} failed.`, { runId: run.id });
    }
  }
}
