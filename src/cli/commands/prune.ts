// `aptp prune --model DIR --dataset NAME --budget 0.6 --experts 8 [...]`: APTP stage 1 on a
// prepared dataset. Before starting it prints the budget in MACs (total and the prunable target)
// and the memory a micro-batch step needs; then a progress bar with the main losses and how many
// prompts each code took; Ctrl-C (or `aptp runs pause` from anywhere) writes a checkpoint and stops
// the run as paused, exit 130; `aptp runs cancel` stops it as cancelled; `--resume RUN` continues a
// recorded run from its newest checkpoint. Bad input (unprepared dataset, budget outside (0, 1],
// K < 1, a model without gate sites) exits 2 with what to do.
import { resolve } from 'node:path';
import { isEngineError } from '../../engine/core/errors';
import { routingSummary } from '../../engine/aptp/routing-map/routing-summary';
import { openPruneJob, type PruneJob } from '../../engine/aptp/trainer/prune-job';
import { missingAllocatorEnv } from '../../engine/runs/allocator-env';
import { openWorkspace, type Workspace } from '../../engine/store/workspace';
import { pruneConfigSchema, type PruneConfigInput } from '../../shared/prune-api';
import { UsageError, type CliCommand, type ParsedArgs } from '../command';
import { formatBytes, table } from '../format';
import { flag, stringOption } from '../options';
import { progressBar } from '../progress';
import { routingRows } from '../routing-rows';

const USAGE = 'aptp prune --model DIR --dataset NAME --budget 0.6 [--experts 8] [--steps N] [--batch N] [--micro-batch N] [--preset coco|cc3m|quick] [--no-ot] [--baseline] [--seed N] [--text-encoder model|sentence-transformers:DIR] [--sample-every N] [--sample-guidance G] [--memory fast|lean] | aptp prune --resume RUN';

const NUMBERS = { budget: 'budget', experts: 'experts', steps: 'steps', batch: 'batch', 'micro-batch': 'microBatch', seed: 'seed', lr: 'lr', resolution: 'resolution', 'checkpoint-every': 'checkpointEvery', 'pretrain-steps': 'pretrainSteps', 'warmup-steps': 'warmupSteps',
  'sample-every': 'sampleEvery', 'sample-prompts': 'samplePrompts', 'sample-steps': 'sampleSteps', 'sample-guidance': 'sampleGuidance' } as const;

function number(args: ParsedArgs, name: string): number | undefined {
  const text = stringOption(args, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new UsageError(`--${name} must be a number (got '${text}')`);
  return value;
}

/** 'model', or 'sentence-transformers:DIR' with DIR made absolute (the run records it). */
function textEncoderChoice(value: string): string {
  if (value === 'model') return value;
  const dir = /^sentence-transformers:(.+)$/.exec(value)?.[1];
  if (!dir) throw new UsageError(`--text-encoder must be 'model' (the model's own text encoder, pooled) or 'sentence-transformers:DIR' (got '${value}')`);
  return `sentence-transformers:${resolve(dir)}`;
}

function configFrom(args: ParsedArgs) {
  const input: Record<string, unknown> = {};
  const model = stringOption(args, 'model');
  if (model) input['model'] = resolve(model);
  for (const key of ['dataset', 'preset', 'memory'] as const) if (stringOption(args, key) !== undefined) input[key] = stringOption(args, key);
  const encoder = stringOption(args, 'text-encoder');
  if (encoder !== undefined) input['promptEncoder'] = textEncoderChoice(encoder);
  for (const [option, key] of Object.entries(NUMBERS)) if (number(args, option) !== undefined) input[key] = number(args, option);
  if (flag(args, 'no-ot')) input['optimalTransport'] = false;
  if (flag(args, 'baseline')) input['kind'] = 'single';
  if (!input['model']) throw new UsageError(`prune needs --model DIR (a diffusers folder); usage: ${USAGE}`);
  if (!input['dataset']) throw new UsageError('prune needs --dataset NAME (an imported, prepared dataset; see `aptp data`)');
  if (input['budget'] === undefined) throw new UsageError('prune needs --budget, the fraction of the UNet\'s MACs to keep on average, in (0, 1] (e.g. 0.6)');
  const budget = input['budget'] as number;
  if (!(budget > 0 && budget <= 1)) throw new UsageError(`--budget must be in (0, 1], a fraction of the UNet's MACs (got ${budget})`);
  if (input['experts'] !== undefined && !((input['experts'] as number) >= 1)) throw new UsageError(`--experts must be a whole number >= 1 (got ${String(input['experts'])})`);
  const parsed = pruneConfigSchema.safeParse(input as PruneConfigInput);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`--${String(issue?.path[0] ?? '?')}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function printPlan(job: PruneJob): void {
  const e = job.estimate;
  const g = (macs: number): string => `${(macs / 1e9).toFixed(3)} GMACs`;
  const c = job.config;
  process.stdout.write(`${table([
    ['run', job.runId],
    ['dataset', `${job.dataset.name}: ${job.items} prepared prompts`],
    ['budget', `${c.budget} of ${g(e.totalMacs)} = ${g(e.budgetMacs)} per image step at ${e.latent.height}x${e.latent.width} latents`],
    ['prunable target', `${e.prunableTarget.toFixed(4)} of the prunable ${g(e.prunableMacs)}`],
    ['prompt encoder', c.promptEncoder === 'model' ? `the model's text encoder, pooled (${job.promptEncoder})` : `${c.promptEncoder} (${job.promptEncoder})`],
    ['samples', c.sampleEvery > 0 ? `${c.samplePrompts} prompts per code every ${c.sampleEvery} steps (${c.sampleSteps} DDIM steps, guidance ${c.sampleGuidance})` : 'none'],
    ['router', `${c.kind === 'single' ? 'one architecture for every prompt (baseline)' : `${c.experts} experts`}, ${e.gateEntries} gate entries, optimal transport ${c.optimalTransport ? 'on' : 'off'}`],
    ['steps', `${c.steps} at global batch ${c.batch} (micro-batch ${c.microBatch}), predictor pre-training ${c.pretrainSteps}, warm-up ${c.warmupSteps}`],
    ['memory per micro-batch step', `about ${formatBytes(e.stepMemoryBytes)} (${c.memory}${c.memory === 'lean' ? ': one copy of each weight, slower convolutions' : ': fastest kernels, about two copies of the weights; --memory lean keeps one'})`],
    ...allocatorRow(),
    ...reachRow(job),
  ])}\n`);
}

/** A warning when the run's learning rate and steps cannot move a gate logit far enough to switch any gate off. */
function reachRow(job: PruneJob): [string, string][] {
  const { logitTravel, gateOffset } = job.estimate;
  if (logitTravel >= gateOffset) return [];
  const lr = job.config.lr * ((2 * gateOffset) / Math.max(logitTravel, 1e-12));
  return [['warning', `at --lr ${job.config.lr} (x sqrt(batch)) the gate logits move about ${logitTravel.toFixed(2)} over these steps, less than the ${gateOffset} that switches a gate off: the run would end near the unpruned UNet. Give it more --steps or a higher --lr (about ${lr.toPrecision(2)} for these steps)`]];
}

/** The allocator setting in effect: entry.ts restarts `aptp prune` with it when the shell lacked it (runs/allocator-env.ts). */
function allocatorRow(): [string, string][] {
  if (process.platform !== 'linux') return [];
  const missing = missingAllocatorEnv();
  if (missing.length > 0) return [['allocator', `glibc's defaults keep freed tensors resident; start with ${missing.join(' ')} for a lower peak (SD 2.1 lean, batch 2: 7.0 -> 5.5 GB)`]];
  return [['allocator', `glibc mmap threshold ${process.env['MALLOC_MMAP_THRESHOLD_'] ?? '?'} bytes: freed tensors go back to the system`]];
}

async function prune(ws: Workspace, args: ParsedArgs): Promise<number> {
  const resume = stringOption(args, 'resume');
  const threads = number(args, 'threads');
  let job: PruneJob;
  try {
    job = await openPruneJob(ws, resume ? { resumeRunId: resume } : configFrom(args), threads);
  } catch (error) {
    if (isEngineError(error) && ['invalid-argument', 'unsupported-model', 'not-found', 'shape-mismatch'].includes(error.code)) throw new UsageError(error.message);
    throw error;
  }
  printPlan(job);
  // Ctrl-C pauses: the run writes a checkpoint and stops as paused, resumable here or by `aptp runs resume`.
  const abort = new AbortController();
  let paused = false;
  const onSigint = (): void => {
    paused = true;
  };
  process.on('SIGINT', onSigint);
  const bar = progressBar('pruning', job.config.steps);
  try {
    const result = await job.run({ signal: abort.signal, pauseRequested: () => paused, progress: (p) => bar.update(p.done, p.detail) });
    bar.finish();
    process.stdout.write(`${table([
      ['status', result.status], ['steps', `${result.step} (${result.skipped} skipped: loss not finite)`], ['checkpoint', result.checkpoint],
      ...routingRows(routingSummary(ws, job.runId), job.estimate.budgetMacs),
    ])}\n`);
    if (result.status === 'paused') process.stdout.write(`resume with: aptp prune --resume ${job.runId} (or \`aptp runs resume ${job.runId.slice(0, 8)}\`)\n`);
    return result.status === 'completed' ? 0 : 130;
  } finally {
    process.off('SIGINT', onSigint);
    await job.dispose();
  }
}

export const pruneCommand: CliCommand = {
  name: 'prune',
  summary: 'APTP stage 1: learn the prompt router and K architecture codes at a MACs budget',
  usage: USAGE,
  options: {
    model: { type: 'string' }, dataset: { type: 'string' }, budget: { type: 'string' }, experts: { type: 'string' }, steps: { type: 'string' },
    batch: { type: 'string' }, 'micro-batch': { type: 'string' }, preset: { type: 'string' }, 'no-ot': { type: 'boolean' }, baseline: { type: 'boolean' },
    seed: { type: 'string' }, lr: { type: 'string' }, resolution: { type: 'string' }, 'checkpoint-every': { type: 'string' },
    'pretrain-steps': { type: 'string' }, 'warmup-steps': { type: 'string' }, 'text-encoder': { type: 'string' },
    'sample-every': { type: 'string' }, 'sample-prompts': { type: 'string' }, 'sample-steps': { type: 'string' }, 'sample-guidance': { type: 'string' }, memory: { type: 'string' }, resume: { type: 'string' }, threads: { type: 'string' }, workspace: { type: 'string' },
  },
  optionHelp: {
    model: 'the diffusers model folder whose UNet is pruned',
    dataset: 'name or id of an imported dataset prepared for this model (`aptp data prepare`)',
    budget: 'average fraction of the UNet\'s MACs to keep, in (0, 1]',
    experts: 'K, the number of architecture codes (default: the preset\'s, 8 for coco)',
    steps: 'training steps (default: the preset\'s)',
    batch: 'global batch: Sinkhorn and the contrastive loss see all of it (default 64)',
    'micro-batch': 'prompts per UNet run; the global batch must be a multiple of it (default 8)',
    preset: 'coco (default), cc3m (K 16) or quick (a few steps, for trying things)',
    'no-ot': 'assign codes by plain argmax instead of Sinkhorn optimal transport (the paper\'s ablation)',
    baseline: 'one learned architecture for every prompt (the paper\'s static-pruning baseline)',
    seed: 'seed of the router init, data order and every random draw (default 0)',
    lr: 'learning rate before the sqrt(batch) scaling (default 2e-4)',
    resolution: 'training resolution in pixels; the dataset must be prepared at it (default: the model\'s own, as `aptp data prepare` uses)',
    'checkpoint-every': 'steps between checkpoints (default 100; also on Ctrl-C)',
    'pretrain-steps': 'steps gating the UNet with the predictor itself (default: a tenth of the steps)',
    'warmup-steps': 'learning-rate warm-up steps (default 100)',
    'text-encoder': "prompt encoder the router reads: 'model' (default, the model's text encoder pooled) or 'sentence-transformers:DIR' (a local BERT/MPNet sentence model)",
    'sample-every': 'steps between per-code sample images (default a fifth of the steps; 0 for none)',
    'sample-prompts': 'fixed dataset prompts each code generates per sample step (default 4)',
    'sample-steps': 'DDIM steps per sample image (default 20)',
    'sample-guidance': "classifier-free guidance of the sample images against the empty prompt (default 7.5; 1 for none)",
    memory: "'fast' (default: fastest kernels, about two copies of the UNet's weights) or 'lean' (one copy, slower convolutions)",
    resume: 'continue a recorded run from its newest checkpoint',
    threads: 'compute threads',
    workspace: 'workspace folder (default $APTP_WORKSPACE or ~/aptp-studio)',
  },
  maxPositionals: 0,
  allocatorEnv: true,
  async run(args) {
    const ws = openWorkspace(stringOption(args, 'workspace'));
    try {
      return await prune(ws, args);
    } finally {
      ws.close();
    }
  },
};
