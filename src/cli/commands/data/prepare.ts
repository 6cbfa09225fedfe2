// `aptp data prepare [DATASET] --model DIR`: prepare the training cache at the model resolution (a
// run, followed here): VAE latent distributions, text states and pooled prompt embeddings from the
// model's own encoders; captions over the text encoder's window are counted exactly and named.
import { resolve } from 'node:path';
import type { PrepareResult } from '../../../engine/data/prepare-job';
import type { Workspace } from '../../../engine/store/workspace';
import { UsageError, type CliCommand, type ParsedArgs } from '../../command';
import { printable, table } from '../../format';
import { flag, intOption, stringOption } from '../../options';
import { pickDataset, runAndFollow, withWorkspace, workspaceHelp, workspaceOption } from './common';

const counts = (s: PrepareResult, kind: string): string => `${s.written[kind] ?? 0} written, ${s.reused[kind] ?? 0} already cached`;

function longCaptionLines(s: PrepareResult): string {
  const long = s.longCaptions;
  if (!long || long.count === 0) return '';
  const named = long.first.map((f) => `  ${printable(f.key)}  ${f.tokens} tokens`).join('\n');
  const more = long.count > long.first.length ? `\n  ... and ${long.count - long.first.length} more (\`aptp data report --problem long-caption\`)` : '';
  return `\n${long.count} caption(s) over the text encoder's ${long.window + 2} tokens (the model sees only the first ${long.window}):\n${named}${more}\n`;
}

async function runPrepare(ws: Workspace, args: ParsedArgs, ref: string | undefined): Promise<number> {
  const model = stringOption(args, 'model');
  if (!model) throw new UsageError('data prepare needs --model DIR (a diffusers folder)');
  const dataset = pickDataset(ws, ref);
  const crop = stringOption(args, 'crop') ?? 'center';
  if (crop !== 'center' && crop !== 'random') throw new UsageError("--crop must be 'center' or 'random'");
  const resolution = intOption(args, 'resolution', 64, 4096);
  const imageBatch = intOption(args, 'batch', 1, 256);
  const storePixels = flag(args, 'pixels');
  const verify = flag(args, 'verify') ? 'sha256' : 'size';
  const config = {
    datasetId: dataset.id, modelDir: resolve(model), crop, flip: flag(args, 'flip'), seed: intOption(args, 'seed', 0, 2 ** 31) ?? 0, pixels: storePixels, verify,
    ...(resolution ? { resolution } : {}), ...(imageBatch ? { imageBatch } : {}),
  };
  const summary = (await runAndFollow(ws, 'prepareDataset', config, 'preparing')) as PrepareResult;
  process.stdout.write(`${table([
    ['dataset', `${dataset.name}: ${summary.items} usable items at ${summary.resolution}px, ${crop} crop${config.flip ? ', flipped' : ''}`],
    ['latents', `${counts(summary, 'latent')} (VAE ${summary.latentModel}; mean and logvar, sampled per epoch)`],
    ...(storePixels ? [['pixels', counts(summary, 'pixels')] as [string, string]] : []),
    ['text states', `${counts(summary, 'text-states')} (${summary.textModel})`],
    ['prompt embeddings', `${counts(summary, 'prompt-embedding')} (${summary.promptEncoder})`],
    ['truncated', `${summary.truncatedCaptions} caption(s) longer than the text encoder's 77 tokens were cut`],
    ['stale', summary.stale ? `${summary.stale} image(s) changed since import: run \`aptp data import\` again` : '0'],
    ['repaired', `${summary.repaired} cached file(s) missing, truncated or changed were rebuilt (checked by ${verify})`],
    ...(summary.leftoversRemoved ? [['cleaned', `${summary.leftoversRemoved} temporary file(s) of an interrupted run removed`] as [string, string]] : []),
  ])}\n${longCaptionLines(summary)}`);
  return 0;
}

export const dataPrepareCommand: CliCommand = {
  name: 'data prepare',
  summary: 'Resize/crop once and cache latents and text states for training with a model',
  usage: 'aptp data prepare [DATASET] --model DIR [--resolution PX] [--crop center|random] [--flip] [--pixels] [--verify]',
  options: {
    model: { type: 'string' }, resolution: { type: 'string' }, crop: { type: 'string' }, flip: { type: 'boolean' }, seed: { type: 'string' }, batch: { type: 'string' },
    pixels: { type: 'boolean' }, verify: { type: 'boolean' }, ...workspaceOption,
  },
  optionHelp: {
    model: 'the diffusers model folder the cache is for',
    resolution: 'square side in pixels (default: the model\'s, else 512)',
    crop: 'center (default) or random (seeded)',
    flip: 'flip horizontally',
    seed: 'seed of random crops (default 0)',
    batch: 'images per VAE run (default 4)',
    pixels: 'also cache the cropped pixels (uint8)',
    verify: 'check every cached file by sha256 before reusing it (default: by size), rebuilding what differs',
    ...workspaceHelp,
  },
  maxPositionals: 1,
  run: (args) => withWorkspace(args, (ws) => runPrepare(ws, args, args.positionals[0])),
};
