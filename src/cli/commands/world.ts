// `aptp world dataset --size N DIR | world judge IMAGES | world build`: the built-in world. dataset
// writes N rendered scenes with captions and ground truth as an imagefolder; judge scores images
// against their prompts with the world's judge (an offline stand-in for CLIP score); build trains
// the world model from a seed (resumable from its checkpoints) and writes a diffusers folder.
import { resolve, join } from 'node:path';
import type { JobContext } from '../../engine/jobs/job';
import { openWorkspace } from '../../engine/store/workspace';
import type { TrainingContext } from '../../engine/train/loop';
import { REFINE_LR } from '../../engine/world/refine';
import { buildWorldModel, DEFAULT_DECODER_STEPS, snapshotWorldModel } from '../../engine/world/build';
import { MAX_ITEMS, MIN_ITEMS, writeWorldDataset } from '../../engine/world/dataset';
import { UsageError, type CliCommand, type ParsedArgs } from '../command';
import { table } from '../format';
import { flag, intOption, stringOption } from '../options';
import { progressBar } from '../progress';
import { runJudge } from './world-judge';
import { lrOption, mixOption, REFINE_MIX_TEXT, runRefine } from './world-refine';
import { stageLine, withSignal, worldRun } from './world-run';

const USAGE = 'aptp world dataset --size N DIR [--seed N] | world judge IMAGES [--judge DIR] [--reference DIR] | world build [--seed N] [--out DIR] [--judge-steps N] [--vae-steps N] [--decoder-steps N] [--steps N] [--until N] [--ema-from N] [--refine-steps N [--mix E,M,H] [--lr X]] [--snapshot] | world refine --from DIR --steps N [--mix E,M,H] [--lr X] [--until N] [--out DIR] [--snapshot]';

async function runDataset(args: ParsedArgs, target: string): Promise<number> {
  const size = intOption(args, 'size', MIN_ITEMS, MAX_ITEMS);
  if (size === undefined) throw new UsageError(`world dataset needs --size N (${MIN_ITEMS} to ${MAX_ITEMS})`);
  const seed = intOption(args, 'seed', 0, 2 ** 31) ?? 0;
  const bar = progressBar('rendering', size);
  const r = await withSignal((signal) => {
    const job: JobContext = { signal, progress: (p) => bar.update(p.done, p.detail) };
    return writeWorldDataset(resolve(target), { size, seed }, job);
  });
  bar.finish();
  process.stdout.write(`${table([['dataset', `${r.dir} (metadata.jsonl + images/, ground truth in each row's 'scene')`], ['items', `${r.items}: ${Object.entries(r.counts).map(([k, v]) => `${v} ${k}`).join(', ')}`], ['seed', String(seed)]])}\n`);
  return 0;
}

async function runBuild(args: ParsedArgs): Promise<number> {
  const seed = intOption(args, 'seed', 0, 2 ** 31) ?? 0;
  const ws = openWorkspace(stringOption(args, 'workspace'));
  const out = resolve(stringOption(args, 'out') ?? join(ws.dir, 'models', `world-seed-${seed}`));
  const checkpointDir = resolve(stringOption(args, 'checkpoints') ?? join(ws.dir, 'checkpoints', `world-seed-${seed}`));
  const options = { seed, out, judgeSteps: intOption(args, 'judge-steps', 1, 1_000_000) ?? 1200, vaeSteps: intOption(args, 'vae-steps', 1, 1_000_000) ?? 300, decoderSteps: intOption(args, 'decoder-steps', 0, 1_000_000) ?? DEFAULT_DECODER_STEPS, diffusionSteps: intOption(args, 'steps', 1, 10_000_000) ?? 6000, diffusionUntil: intOption(args, 'until', 1, 10_000_000), emaFrom: intOption(args, 'ema-from', 0, 10_000_000), threads: intOption(args, 'threads', 1, 1024) ?? 1, refineSteps: intOption(args, 'refine-steps', 0, 10_000_000) ?? 0, refineMix: mixOption(args), refineLr: lrOption(args) };
  if (flag(args, 'snapshot')) {
    try {
      const noop: TrainingContext = { signal: new AbortController().signal, checkpointDir, metric: () => {}, progress: () => {} };
      const r = await snapshotWorldModel(out, noop);
      process.stdout.write(`${table([['model', `${r.dir} (a snapshot of the checkpoints in ${checkpointDir}; nothing trained)`], ['steps', Object.entries(r.steps).map(([k, v]) => `${k} ${v}`).join(', ')]])}\n`);
      return 0;
    } finally {
      ws.close();
    }
  }
  const started = Date.now();
  try {
    const { result: r, runId } = await worldRun(ws, 'world-build', options, checkpointDir, (ctx) => buildWorldModel(options, ctx));
    const minutes = ((Date.now() - started) / 60000).toFixed(1);
    process.stdout.write(`${table([
      ['model', r.dir],
      ['judge', stageLine(r.judge, 4)],
      ['vae', stageLine(r.vae, 5)],
      ...(r.decoder ? [['decoder', stageLine(r.decoder, 5)] as const] : []),
      ['diffusion', stageLine(r.diffusion, 5)],
      ...(r.refine ? [['refine', stageLine(r.refine, 5)] as const] : []),
      ['scaling factor', r.scalingFactor.toPrecision(5)],
      ['time', `${minutes} min this call (run ${runId}, checkpoints in ${checkpointDir})`],
    ])}\n`);
    return 0;
  } finally {
    ws.close();
  }
}

export const worldCommand: CliCommand = {
  name: 'world',
  summary: 'The built-in world: render a captioned dataset with ground truth, judge images, build the world model',
  usage: USAGE,
  options: {
    size: { type: 'string' }, seed: { type: 'string' }, judge: { type: 'string' }, reference: { type: 'string' }, limit: { type: 'string' }, out: { type: 'string' }, checkpoints: { type: 'string' },
    'judge-steps': { type: 'string' }, 'vae-steps': { type: 'string' }, 'decoder-steps': { type: 'string' }, 'ema-from': { type: 'string' }, 'refine-steps': { type: 'string' }, steps: { type: 'string' }, until: { type: 'string' }, threads: { type: 'string' }, workspace: { type: 'string' },
    snapshot: { type: 'boolean' }, from: { type: 'string' }, mix: { type: 'string' }, lr: { type: 'string' },
  },
  optionHelp: {
    size: `dataset: number of scenes (${MIN_ITEMS} to ${MAX_ITEMS})`,
    seed: 'dataset/build: world seed (default 0)',
    judge: 'judge: the judge folder (default: the shipped one in resources/world/judge)',
    reference: 'judge: a second image folder; prints the Fréchet distance of judge features (a stand-in for FID)',
    limit: 'judge: how many images to list (default 20)',
    out: 'build/refine: model folder to write (default WORKSPACE/models/world-seed-N)',
    checkpoints: 'build/refine: checkpoint folder; an existing one is resumed (default WORKSPACE/checkpoints/world-seed-N)',
    'judge-steps': 'build: judge training steps (default 1200)',
    'vae-steps': 'build: VAE training steps (default 300)',
    until: 'build/refine: stop the diffusion stage after this step and save the model as it is then; the learning-rate schedule stays that of --steps, so a later call without --until continues it',
    'ema-from': 'build: the diffusion step from which the saved UNet and text encoder are the moving average of their weights (decay 0.999; default 70% of --steps)',
    'decoder-steps': `build: VAE decoder fine-tuning steps on the frozen encoder (default ${DEFAULT_DECODER_STEPS}; 0 skips)`,
    steps: 'build/refine: text encoder + UNet training steps (default 6000)',
    threads: 'build/refine: compute threads (default 1)',
    'refine-steps': 'build: steps of a refine stage after the diffusion stage (the text encoder and UNet on more hard scenes, as world refine; default 0, none)',
    from: 'refine: the world model folder to continue training (its VAE, scale and judge are kept)',
    mix: `refine (and build --refine-steps): shares of easy,medium,hard scenes trained on (default ${REFINE_MIX_TEXT})`,
    lr: `refine (and build --refine-steps): peak learning rate (default ${REFINE_LR})`,
    snapshot: 'build/refine: write the model folder from the checkpoints as they are now, without training (while a build runs)',
    workspace: 'workspace folder (default $APTP_WORKSPACE or ~/aptp-studio)',
  },
  maxPositionals: 2,
  async run(args) {
    const [sub, target] = args.positionals;
    if (sub === 'dataset') {
      if (!target) throw new UsageError('world dataset needs the folder to write');
      return runDataset(args, target);
    }
    if (sub === 'judge') {
      if (!target) throw new UsageError('world judge needs an image folder or a metadata.jsonl with prompts');
      return runJudge(args, target);
    }
    if (sub === 'build') return runBuild(args);
    if (sub === 'refine') return runRefine(args);
    throw new UsageError(`expected dataset, judge, build or refine; usage: ${USAGE}`);
  },
};
