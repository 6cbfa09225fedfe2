// `aptp world refine --from DIR --steps N`: continues training a built world model's text encoder
// and UNet on fresh scenes with more hard ones (engine/world/refine.ts), as a run of the workspace's
// 'world' project with a progress bar; resumable from its checkpoint folder like `world build`.
import { join, resolve } from 'node:path';
import { openWorkspace } from '../../engine/store/workspace';
import type { TrainingContext } from '../../engine/train/loop';
import type { DifficultyMix } from '../../engine/world/items';
import { refineWorldModel, REFINE_LR, REFINE_MIX, snapshotRefinedModel } from '../../engine/world/refine';
import { UsageError, type ParsedArgs } from '../command';
import { table } from '../format';
import { flag, intOption, stringOption } from '../options';
import { stageLine, worldRun } from './world-run';

export const REFINE_MIX_TEXT = `${REFINE_MIX.easy},${REFINE_MIX.medium},${REFINE_MIX.hard}`;

/** --mix as a difficulty mix (default REFINE_MIX), for `world refine` and `world build --refine-steps`. */
export function mixOption(args: ParsedArgs): DifficultyMix {
  const text = stringOption(args, 'mix');
  if (text === undefined) return REFINE_MIX;
  const parts = text.split(',').map(Number);
  if (parts.length !== 3 || parts.some((x) => !Number.isFinite(x) || x < 0) || parts.reduce((a, b) => a + b, 0) <= 0) {
    throw new UsageError(`--mix takes three non-negative shares easy,medium,hard (for example ${REFINE_MIX_TEXT}); got '${text}'`);
  }
  const [easy, medium, hard] = parts as [number, number, number];
  return { easy, medium, hard };
}

/** --lr, the refinement's peak learning rate (default REFINE_LR). */
export function lrOption(args: ParsedArgs): number {
  const text = stringOption(args, 'lr');
  if (text === undefined) return REFINE_LR;
  const lr = Number(text);
  if (!Number.isFinite(lr) || lr <= 0 || lr > 1) throw new UsageError(`--lr takes a learning rate in (0, 1] (for example ${REFINE_LR}); got '${text}'`);
  return lr;
}

export async function runRefine(args: ParsedArgs): Promise<number> {
  const from = stringOption(args, 'from');
  if (!from) throw new UsageError('world refine needs --from DIR, the world model folder to continue (for example resources/world)');
  const steps = intOption(args, 'steps', 1, 10_000_000);
  if (steps === undefined) throw new UsageError('world refine needs --steps N (its learning rate drops to a quarter after 80% of them)');
  const seed = intOption(args, 'seed', 0, 2 ** 31) ?? 0;
  const ws = openWorkspace(stringOption(args, 'workspace'));
  try {
    const out = resolve(stringOption(args, 'out') ?? join(ws.dir, 'models', `world-refined-seed-${seed}`));
    const checkpointDir = resolve(stringOption(args, 'checkpoints') ?? join(ws.dir, 'checkpoints', `world-refine-seed-${seed}`));
    const options = { from: resolve(from), out, seed, steps, until: intOption(args, 'until', 1, 10_000_000), mix: mixOption(args), lr: lrOption(args), threads: intOption(args, 'threads', 1, 1024) ?? 1 };
    if (flag(args, 'snapshot')) {
      const noop: TrainingContext = { signal: new AbortController().signal, checkpointDir, metric: () => {}, progress: () => {} };
      const r = await snapshotRefinedModel(options, noop);
      process.stdout.write(`${table([['model', `${r.dir} (a snapshot of the refine checkpoint in ${checkpointDir}; nothing trained)`], ['steps', String(r.step)]])}\n`);
      return 0;
    }
    const started = Date.now();
    const { result: r, runId } = await worldRun(ws, 'world-refine', options, checkpointDir, (ctx) => refineWorldModel(options, ctx));
    process.stdout.write(`${table([
      ['model', r.dir],
      ['from', options.from],
      ['refine', stageLine(r.refine, 5)],
      ['mix', `easy ${options.mix.easy}, medium ${options.mix.medium}, hard ${options.mix.hard}`],
      ['time', `${((Date.now() - started) / 60000).toFixed(1)} min this call (run ${runId}, checkpoints in ${checkpointDir})`],
    ])}\n`);
    return 0;
  } finally {
    ws.close();
  }
}
