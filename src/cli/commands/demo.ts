// `aptp demo`: runs the built-in demo job (see src/engine/demo/demo-job.ts) with a progress bar;
// Ctrl-C cancels cleanly and the run is recorded as cancelled.
import { availableParallelism } from 'node:os';
import { routingSummary } from '../../engine/aptp/routing-map/routing-summary';
import { runDemo } from '../../engine/demo/demo-job';
import { runPruneDemo } from '../../engine/demo/prune-demo';
import { runWorldDemo, type WorldDemoOptions } from '../../engine/demo/world-demo';
import { MAX_ITEMS, MIN_ITEMS } from '../../engine/world/dataset';
import { builtInWorld, WORLD_DATASET_NAME } from '../../engine/world/built-in';
import { openWorkspace, type Workspace } from '../../engine/store/workspace';
import type { CliCommand, ParsedArgs } from '../command';
import { table } from '../format';
import { flag, intOption, stringOption } from '../options';
import { progressBar } from '../progress';
import { routingRows } from '../routing-rows';

export const demoCommand: CliCommand = {
  name: 'demo',
  summary: 'Run the built-in demo: train a GroupNorm conv net with the engine, record it, export ONNX',
  usage: 'aptp demo [--steps N] [--batch N] [--seed N] [--threads N] [--workspace DIR] [--prune [--size N]]',
  options: { prune: { type: 'boolean' }, size: { type: 'string' }, steps: { type: 'string' }, batch: { type: 'string' }, seed: { type: 'string' }, threads: { type: 'string' }, workspace: { type: 'string' } },
  optionHelp: {
    prune: 'run APTP stage 1 instead (default 40 steps): on the built-in world model and a rendered world dataset (imported, prepared), or, until a world model is shipped in resources/world, on a random tiny UNet',
    size: '--prune: world scenes to render and import (default 200)',
    steps: 'training steps (default 300)',
    batch: 'images per step (default 32)',
    seed: 'random seed (default 1)',
    threads: 'compute threads (default: every CPU)',
    workspace: 'workspace folder (default $APTP_WORKSPACE or ~/aptp-studio)',
  },
  maxPositionals: 0,
  async run(args) {
    if (flag(args, 'prune')) return pruneDemo(args);
    const options = {
      steps: intOption(args, 'steps', 1, 1_000_000) ?? 300,
      batch: intOption(args, 'batch', 1, 4096) ?? 32,
      seed: intOption(args, 'seed', 0, 2 ** 31) ?? 1,
      threads: intOption(args, 'threads', 1, 1024) ?? availableParallelism(),
    };
    const ws = openWorkspace(stringOption(args, 'workspace'));
    const abort = new AbortController();
    const onSigint = (): void => abort.abort();
    process.once('SIGINT', onSigint);
    const bar = progressBar('training', options.steps);
    try {
      const r = await runDemo(ws, options, { signal: abort.signal, progress: (p) => bar.update(p.done, p.detail) });
      bar.finish(`loss ${r.finalLoss.toFixed(4)}`);
      process.stdout.write(`${table([
        ['run', `${r.runId} (workspace ${ws.dir})`],
        ['loss', `${r.firstLoss.toFixed(4)} -> ${r.finalLoss.toFixed(4)} over ${r.steps} steps`],
        ['held-out accuracy', `${(r.heldOutAccuracy * 100).toFixed(1)}% (trainer), ${(r.exportedAccuracy * 100).toFixed(1)}% (exported ONNX)`],
        ['model', `${r.modelPath} (sha256 ${r.sha256.slice(0, 16)}...)`],
      ])}\n`);
      return 0;
    } finally {
      process.off('SIGINT', onSigint);
      ws.close();
    }
  },
};

/** What the last step's assignment says about code usage, from the counts themselves. */
function usage(codes: readonly number[]): string {
  const empty = codes.filter((c) => c === 0).length;
  return empty === 0 ? 'every code took prompts' : `${empty} of ${codes.length} codes took none in this batch`;
}

async function pruneDemo(args: ParsedArgs): Promise<number> {
  const options = { steps: intOption(args, 'steps', 1, 1_000_000) ?? 40, seed: intOption(args, 'seed', 0, 2 ** 31) ?? 1, threads: intOption(args, 'threads', 1, 1024) ?? availableParallelism() };
  const world = builtInWorld();
  const ws = openWorkspace(stringOption(args, 'workspace'));
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    if (world.modelDir) return await worldPruneDemo(ws, { ...options, modelDir: world.modelDir, size: intOption(args, 'size', MIN_ITEMS, MAX_ITEMS) ?? 200 }, abort.signal);
    process.stdout.write(`${world.missing}\nPruning a seeded random tiny UNet on synthetic prompt clusters instead (it exercises the trainer, not image quality).\n`);
    const bar = progressBar('pruning', options.steps);
    const r = await runPruneDemo(ws, options, { signal: abort.signal, progress: (p) => bar.update(p.done, p.detail) });
    bar.finish();
    process.stdout.write(`${table([
      ['run', `${r.runId} (workspace ${ws.dir})`],
      ['status', `${r.status} after ${r.step} steps (${r.skipped} skipped)`],
      ['last step', `prompts per code ${r.codes.join('/')} (K = ${r.codes.length}; ${usage(r.codes)})`],
      ['routing', `the trained router sends the ${r.routed.reduce((a, b) => a + b, 0)} demo prompts ${r.routed.join('/')} to the codes (Routing view, or the routing tables)`],
      ['samples', `${r.samples} per-code sample images under ${ws.dir}/samples/${r.runId}`],
      ['checkpoint', r.checkpoint],
    ])}\n`);
    return r.status === 'cancelled' ? 130 : 0;
  } finally {
    process.off('SIGINT', onSigint);
    ws.close();
  }
}

/** The world path: render, import, prepare, prune, each stage with its own progress bar. */
async function worldPruneDemo(ws: Workspace, options: WorldDemoOptions, signal: AbortSignal): Promise<number> {
  let bar: ReturnType<typeof progressBar> | undefined;
  let label = '';
  const r = await runWorldDemo(ws, options, {
    signal,
    stage: (name) => { bar?.finish(); label = name; bar = undefined; },
    progress: (p) => { bar ??= progressBar(label, p.total); bar.update(p.done, p.detail); },
  });
  bar?.finish();
  process.stdout.write(`${table([
    ['model', `${options.modelDir} (the built-in world model)`],
    ['dataset', `${r.items} world scenes from ${r.datasetDir}, imported as '${WORLD_DATASET_NAME}' (${r.datasetId}), prepared at 64 px`],
    ['budget', `${(r.budgetMacs / 1e6).toFixed(1)} of ${(r.totalMacs / 1e6).toFixed(1)} MMACs per UNet step`],
    ['run', `${r.runId} (workspace ${ws.dir})`],
    ['status', `${r.status} after ${r.step} steps (${r.skipped} skipped); last step's mean resource ratio ${r.rhoMean.toFixed(3)}`],
    ...routingRows(routingSummary(ws, r.runId), r.budgetMacs),
    ['by difficulty', `${Object.entries(r.macsByDifficulty).map(([d, m]) => `${d} ${(m / 1e6).toFixed(1)}`).join(', ')} MMACs on average (the expert the router picks; APTP gives hard prompts more)`],
    ['samples', `${r.samples} per-code sample images under ${ws.dir}/samples/${r.runId} (Train view)`],
    ['checkpoint', r.checkpoint],
  ])}\n`);
  return r.status === 'completed' ? 0 : 130;
}
