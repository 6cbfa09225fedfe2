// `aptp generate`: text-to-image with a Stable Diffusion 1.x/2.x model (a diffusers folder or a
// single-file .safetensors checkpoint) on the engine:
// classifier-free guidance, negative prompt, seed, steps, size, sampler, several prompts and images
// per prompt; a progress bar per denoising step and Ctrl-C to cancel between steps. The output is
// checked before any work (its folder exists, no file is overwritten without --force, the extension
// names a format written: PNG with the settings in text chunks, JPEG/WebP with them in EXIF);
// several prompts get files named by prompt; prompts past the text encoder's length are warned about.
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { EngineError } from '../../engine/core/errors';
import type { OpenModelOptions } from '../../engine/models/sd/loader';
import {
  checkImagePaths, DECODING_DETAIL, encodeImage, generationPngText, imageFormatOf, imagePaths, MAX_IMAGE_SIDE, TextToImage, writeImageFile, type ImageFormat,
} from '../../engine/models/sd/pipeline';
import { isSamplerKind, SAMPLER_KINDS, type SamplerKind } from '../../engine/models/sd/schedulers';
import type { TokenizerFlavor } from '../../engine/models/sd/tokenizer';
import { UsageError, type CliCommand, type ParsedArgs } from '../command';
import { intOption, stringOption } from '../options';
import { progressBar } from '../progress';

interface Options {
  readonly model: string;
  readonly prompts: string[];
  readonly negative: string | undefined;
  readonly out: string;
  readonly format: ImageFormat;
  /** Every file to write, checked before generating. */
  readonly paths: string[];
  readonly steps: number;
  readonly guidance: number;
  readonly seed: number;
  readonly width: number | undefined;
  readonly height: number | undefined;
  readonly scheduler: SamplerKind | undefined;
  readonly batch: number;
  readonly predictionType: 'epsilon' | 'v_prediction' | undefined;
  readonly tokenizer: string | undefined;
  readonly configs: OpenModelOptions['configs'];
  readonly tokenizerFlavor: TokenizerFlavor | undefined;
}

/** --configs FILE: diffusers config keys that override what a single file's shapes imply. */
function configsOption(args: ParsedArgs): OpenModelOptions['configs'] {
  const path = stringOption(args, 'configs');
  if (path === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--configs ${path} is not a readable JSON file (${(error as Error).message.split('\n')[0]})`);
  }
  const keys = ['unet', 'textEncoder', 'vae', 'scheduler'];
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || Object.keys(parsed).some((k) => !keys.includes(k))) {
    throw new UsageError(`--configs ${path} must be a JSON object with any of the keys ${keys.join(', ')}, each holding diffusers config keys`);
  }
  return parsed as OpenModelOptions['configs'];
}

const PREDICTION_TYPES = ['epsilon', 'v_prediction'] as const;

function predictionTypeOption(args: ParsedArgs): Options['predictionType'] {
  const v = stringOption(args, 'prediction-type');
  if (v === undefined) return undefined;
  if (v === 'epsilon' || v === 'v_prediction') return v;
  throw new UsageError(`--prediction-type must be one of ${PREDICTION_TYPES.join(', ')}, got '${v}'`);
}

const TOKENIZER_FLAVORS = ['tokenizers', 'slow'] as const;

function tokenizerFlavorOption(args: ParsedArgs): TokenizerFlavor | undefined {
  const v = stringOption(args, 'tokenizer-flavor');
  if (v === undefined) return undefined;
  if (v === 'tokenizers' || v === 'slow') return v;
  throw new UsageError(`--tokenizer-flavor must be one of ${TOKENIZER_FLAVORS.join(', ')}, got '${v}'`);
}

function required(args: ParsedArgs, name: string): string {
  const v = stringOption(args, name);
  if (v === undefined || v === '') throw new UsageError(`--${name} is required; usage: ${generateCommand.usage}`);
  return v;
}

function readOptions(args: ParsedArgs): Options {
  const model = required(args, 'model');
  const out = required(args, 'out');
  const raw = args.values['prompt'];
  const prompts = (Array.isArray(raw) ? raw : [raw]).filter((p): p is string => typeof p === 'string');
  if (prompts.length === 0) throw new UsageError(`--prompt is required; usage: ${generateCommand.usage}`);
  const guidanceText = stringOption(args, 'guidance');
  const guidance = guidanceText === undefined ? 7.5 : Number(guidanceText);
  if (!Number.isFinite(guidance) || guidance < 0 || guidance > 100) throw new UsageError(`--guidance must be a number from 0 to 100, got '${guidanceText}'`);
  const scheduler = stringOption(args, 'scheduler');
  if (scheduler !== undefined && !isSamplerKind(scheduler)) throw new UsageError(`--scheduler must be one of ${SAMPLER_KINDS.join(', ')}, got '${scheduler}'`);
  const size = (name: string): number | undefined => intOption(args, name, 1, MAX_IMAGE_SIDE);
  const batch = intOption(args, 'batch', 1, 64) ?? 1;
  const { format, paths } = checkedOutput(out, prompts, batch, args.values['force'] === true);
  return {
    model, out, format, paths, prompts, guidance, scheduler, batch,
    negative: stringOption(args, 'negative-prompt'),
    steps: intOption(args, 'steps', 1, 1000) ?? 25,
    seed: intOption(args, 'seed', 0, 2 ** 31 - 1) ?? randomInt(2 ** 31 - 1),
    width: size('width'),
    height: size('height'),
    predictionType: predictionTypeOption(args),
    tokenizer: stringOption(args, 'tokenizer'),
    configs: configsOption(args),
    tokenizerFlavor: tokenizerFlavorOption(args),
  };
}

/** The format and files of --out, refused (exit 2, one line) before any work when they cannot be written. */
function checkedOutput(out: string, prompts: readonly string[], batch: number, force: boolean): { format: ImageFormat; paths: string[] } {
  try {
    const format = imageFormatOf(out);
    const paths = imagePaths(out, prompts, batch);
    checkImagePaths(paths, force);
    return { format, paths };
  } catch (error) {
    if (error instanceof EngineError) throw new UsageError(error.message);
    throw error;
  }
}

/** Warns (stderr) about prompts longer than the text encoder reads: their end is ignored, as in diffusers. */
function warnLongPrompts(pipeline: TextToImage, o: Options): void {
  const texts = [...o.prompts.map((p, i) => [o.prompts.length > 1 ? `prompt ${i + 1}` : 'the prompt', p] as const), ...(o.negative ? [['the negative prompt', o.negative] as const] : [])];
  for (const [name, text] of texts) {
    const { ids, truncated } = pipeline.tokenizer.encode(text);
    if (truncated.length === 0) continue;
    const kept = ids.length - 2;
    process.stderr.write(`warning: ${name} is ${kept + truncated.length} tokens; the text encoder reads ${pipeline.tokenizer.maxLength} including start and end, so its last ${truncated.length} token(s) are ignored (as diffusers does). Shorten it to keep every word.\n`);
  }
}

/** Opens the model; a single file without --tokenizer is a usage error (exit 2) naming the option. */
async function openPipeline(o: Options): Promise<TextToImage> {
  try {
    return await TextToImage.open(o.model, {
      ...(o.predictionType ? { predictionType: o.predictionType } : {}),
      ...(o.tokenizer ? { tokenizer: o.tokenizer } : {}),
      ...(o.configs ? { configs: o.configs } : {}),
      ...(o.tokenizerFlavor ? { tokenizerFlavor: o.tokenizerFlavor } : {}),
    });
  } catch (error) {
    if (error instanceof EngineError && error.details['needs'] === 'tokenizer') {
      throw new UsageError(`${o.model} is a single-file checkpoint, which carries no tokenizer; pass --tokenizer DIR (a folder with vocab.json and merges.txt, e.g. the tokenizer/ folder of a diffusers model of the same family)`);
    }
    throw error;
  }
}

async function generate(o: Options): Promise<string[]> {
  const pipeline = await openPipeline(o);
  warnLongPrompts(pipeline, o);
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const { kind, sampler } = pipeline.sampler(o.scheduler, o.steps);
    const bar = progressBar(`generating (${kind}, seed ${o.seed})`, sampler.timesteps.length);
    const request = { prompts: o.prompts, negativePrompt: o.negative, guidance: o.guidance, width: o.width, height: o.height, seed: o.seed, imagesPerPrompt: o.batch, steps: o.steps, sampler: kind };
    const started = performance.now();
    const result = await pipeline.generate(request, { signal: abort.signal, progress: (p) => (p.detail === DECODING_DETAIL ? bar.finish('decoding') : bar.update(p.done, p.detail)) });
    const elapsedMs = performance.now() - started;
    for (const [i, rgb] of result.images.entries()) {
      const prompt = o.prompts[Math.floor(i / o.batch)] ?? '';
      const text = generationPngText({ prompt, negativePrompt: o.negative ?? '', seed: o.seed, steps: o.steps, guidance: o.guidance, sampler: kind, width: result.width, height: result.height, model: o.model, elapsedMs });
      writeImageFile(o.paths[i] as string, await encodeImage(rgb, result.width, result.height, o.format, text));
    }
    return o.paths;
  } finally {
    process.off('SIGINT', onSigint);
    await pipeline.dispose();
  }
}

export const generateCommand: CliCommand = {
  name: 'generate',
  summary: 'Generate images from text with a Stable Diffusion 1.x/2.x model (diffusers folder or .safetensors)',
  usage: 'aptp generate --model DIR|FILE [--tokenizer DIR] [--prediction-type epsilon|v_prediction] [--configs FILE] [--tokenizer-flavor tokenizers|slow] --prompt "..." [--prompt "..."] [--negative-prompt "..."] [--steps N] [--guidance G] [--seed N] [--width W] [--height H] [--scheduler ddim|pndm|euler|dpmpp-2m] [--batch N] --out img.png|.jpg|.webp [--force]',
  options: {
    model: { type: 'string' }, prompt: { type: 'string', multiple: true }, 'negative-prompt': { type: 'string' }, steps: { type: 'string' },
    guidance: { type: 'string' }, seed: { type: 'string' }, width: { type: 'string' }, height: { type: 'string' }, scheduler: { type: 'string' },
    batch: { type: 'string' }, out: { type: 'string' }, tokenizer: { type: 'string' }, 'prediction-type': { type: 'string' }, configs: { type: 'string' },
    'tokenizer-flavor': { type: 'string' }, force: { type: 'boolean' },
  },
  optionHelp: {
    model: 'diffusers model folder (holding model_index.json), or a single-file SD 1.x/2.x .safetensors checkpoint',
    tokenizer: 'tokenizer folder (vocab.json + merges.txt) for a single-file checkpoint, which carries none',
    'prediction-type': 'for SD 2.x single files that do not say: epsilon (2.x-base) or v_prediction (768-v)',
    configs: 'JSON file {unet, textEncoder, vae, scheduler} of diffusers config keys overriding what a single file implies (heads, groups)',
    prompt: 'what to draw; repeat for several prompts',
    'negative-prompt': 'what to steer away from (default none)',
    steps: 'denoising steps (default 25)',
    guidance: 'classifier-free guidance scale (default 7.5; 1 or less turns guidance off)',
    seed: 'seed of the initial noise (default: random, printed)',
    'tokenizer-flavor': 'tokenizers (default: transformers 5 and every fast tokenizer) or slow (the slow CLIPTokenizer of transformers 4 without ftfy), to match the images of a diffusers that still runs transformers 4',
    width: `image width in pixels (default: the model's native size): a multiple of the VAE factor (8 for SD 1.x/2.x) up to ${MAX_IMAGE_SIDE}, as diffusers accepts; a UNet with downsample_padding 0 needs a multiple of 8 x 2^(down blocks - 1); other sizes are refused with the nearest that work`,
    height: `image height in pixels (default: the model's native size), under the same rule as --width`,
    scheduler: `sampler: ${SAMPLER_KINDS.join(', ')} (default: the model's scheduler_config.json)`,
    batch: 'images per prompt (default 1)',
    out: 'output file in an existing folder; its extension picks the format: .png (the settings in text chunks), .jpg/.jpeg or .webp (the settings in EXIF). Several prompts write NAME-<prompt>.png each; several images per prompt add -1, -2...',
    force: 'overwrite output files that exist (default: refuse before generating)',
  },
  maxPositionals: 0,
  async run(args) {
    const options = readOptions(args);
    const paths = await generate(options);
    for (const p of paths) process.stdout.write(`${p}\n`);
    return 0;
  },
};
