// APTP stage 1 as a run kind: a worker process trains the router of a recorded `prune` run (started
// by the studio's startPrune or resumed with `aptp runs resume`), continuing from the run's newest
// checkpoint. Pause is cooperative (the trainer writes a checkpoint, then stops as paused); cancel
// writes a checkpoint too, so a cancelled run's finished steps are kept.
import { z } from 'zod';
import { pruneConfigSchema } from '../../shared/prune-api';
import { openPruneJob, PRUNE_RUN_KIND } from '../aptp/trainer/prune-job';
import { EngineError } from '../core/errors';
import { defineRunKind } from './run-kind';

/** The recorded configuration; a recorded run also carries its resolved objective and prompt-encoder id. */
const pruneRunConfigSchema = pruneConfigSchema.extend({ objective: z.unknown().optional(), promptEncoderId: z.string().optional() });

export const pruneRunKind = defineRunKind({
  kind: PRUNE_RUN_KIND,
  configSchema: pruneRunConfigSchema,
  pause: 'cooperative',
  async run(ctx) {
    const job = await openPruneJob(ctx.workspace, { resumeRunId: ctx.run.id }, ctx.config.threads);
    try {
      const result = await job.run({ signal: ctx.signal, pauseRequested: () => ctx.pauseRequested(), progress: (p) => ctx.progress(p) }, true);
      if (result.status === 'paused') ctx.pausePoint();
      if (result.status === 'cancelled') throw new EngineError('cancelled', `The pruning run was cancelled at step ${result.step}; its checkpoint is kept.`, { step: result.step });
      return { steps: result.step, skipped: result.skipped, checkpoint: result.checkpoint };
    } finally {
      await job.dispose();
    }
  },
});
