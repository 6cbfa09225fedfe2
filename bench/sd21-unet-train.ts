// The pruning step's cost at SD 2.1 size (issue 9 point 9): the SD 2.1 UNet (real config, seeded
// random weights from a diffusers folder) gated by one architecture vector, a loss on its output,
// and the gradient of the loss in the gates, built in one builder (autodiff gradients()), written
// as ONNX and loaded on the CPU provider. Each variant runs in its own process so its memory is its
// own: 'forward' (the gated UNet alone), 'train' (forward + backward to the gates), 'train-copy'
// (weights copied into the external data file instead of linked in place), 'train-noprepack'
// (onnxruntime prepacking off). Prints `name: value` lines: build, write and load seconds, RSS right
// after load and peak, and with --steps N the mean step time after one warm-up step.
//   npx tsx bench/sd21-unet-train.ts [--dir DIR] [--threads N] [--batch B] [--steps N] [--variants a,b]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gradients } from '../src/engine/autodiff';
import { GraphBuilder } from '../src/engine/ir';
import { ARCH_VECTOR_INPUT } from '../src/engine/models/sd/structure/gates';
import { presetUNetConfig } from '../src/engine/models/sd/structure/presets';
import { randomWeights } from '../src/engine/models/sd/unet/layers';
import { UNET_OUTPUT, buildUNet } from '../src/engine/models/sd/unet/unet';
import { writeModel } from '../src/engine/onnx';
import { hostTensor, loadSession, type HostTensor } from '../src/engine/runtime';
import { openSafetensors, tensorSource } from '../src/engine/weights';
import { line, rssMb, sd21WeightsPath, timed, writeSd21Folder } from './sd21-weights';

const LATENT = 32;
const TOKENS = 77;
const VARIANTS = ['forward', 'train', 'train-copy', 'train-noprepack'] as const;
type Variant = (typeof VARIANTS)[number];

const arg = (argv: readonly string[], name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);

function feeds(batch: number, vectorLength: number): Record<string, HostTensor> {
  const rand = randomWeights(5);
  const draw = (name: string, shape: number[]): HostTensor => hostTensor('float32', shape, rand({ name, shape }).data as Float32Array);
  return {
    sample: draw('sample', [batch, 4, LATENT, LATENT]),
    timestep: hostTensor('float32', [batch], new Float32Array(batch).fill(500)),
    encoder_hidden_states: draw('context', [batch, TOKENS, 1024]),
    target: draw('target', [batch, 4, LATENT, LATENT]),
    [ARCH_VECTOR_INPUT]: hostTensor('float32', [batch, vectorLength], new Float32Array(batch * vectorLength).fill(1)),
  };
}

/** The gated UNet, a mean-squared loss against `target`, and (train) d(loss)/d(gates), in one builder. */
async function buildStep(weightsPath: string, batch: number, train: boolean) {
  const file = await openSafetensors(weightsPath);
  const built = buildUNet(presetUNetConfig('sd21'), {
    batch, height: LATENT, width: LATENT, textLength: TOKENS, name: 'sd21_step', gates: 'vector',
    weights: (spec) => { const t = tensorSource(file, spec.name, 'float32'); return { dtype: t.dtype, data: t.source }; },
  });
  const b = GraphBuilder.from(built.graph);
  const out = b.valueByName(built.graph.outputs.find((o) => o.name === UNET_OUTPUT)?.value.name ?? '');
  const gates = b.valueByName(ARCH_VECTOR_INPUT);
  if (!out || !gates) throw new Error('the gated UNet has no output or no gate input');
  const diff = b.sub(out, b.input('target', 'float32', out.type.shape));
  const loss = b.reduceMean(b.mul(diff, diff), undefined, false);
  b.output(loss, 'loss');
  if (train) b.output(gradients(b, loss, [gates])[0] ?? gates, 'grad/gates');
  return { graph: b.build(), vectorLength: built.layout.vectorLength };
}

async function runVariant(variant: Variant, dir: string, threads: number, batch: number, steps: number): Promise<void> {
  const built = await timed(`${variant}_build`, () => buildStep(sd21WeightsPath(dir), batch, variant !== 'forward'));
  line(`${variant}_nodes`, built.graph.nodes.length);
  const modelPath = join(dir, `${variant}.onnx`);
  const written = await timed(`${variant}_write`, () => writeModel(built.graph, modelPath, { linkSourceFiles: variant !== 'train-copy' }));
  line(`${variant}_copied_gb`, (written.externalBytes / 1e9).toFixed(2));
  line(`${variant}_linked_gb`, (written.linkedBytes / 1e9).toFixed(2));
  const before = rssMb('VmRSS');
  const session = await timed(`${variant}_load`, () => loadSession({ path: modelPath }, 'cpu', { intraOpThreads: threads, interOpThreads: 1, prepacking: variant !== 'train-noprepack' }));
  line(`${variant}_rss_after_load_mb`, rssMb('VmRSS'));
  line(`${variant}_load_rss_growth_mb`, rssMb('VmRSS') - before);
  try {
    if (steps > 0) {
      const input = feeds(batch, built.vectorLength);
      await timed(`${variant}_first_step`, () => session.run(input));
      const start = performance.now();
      for (let i = 0; i < steps; i++) await session.run(input);
      line(`${variant}_step_s`, ((performance.now() - start) / 1000 / steps).toFixed(2));
    }
    line(`${variant}_peak_rss_mb`, rssMb());
  } finally {
    await session.dispose();
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const threads = Number(arg(argv, '--threads') ?? cpus().length);
  const batch = Number(arg(argv, '--batch') ?? 1);
  const steps = Number(arg(argv, '--steps') ?? 0);
  const only = arg(argv, '--variant');
  const keep = arg(argv, '--dir');
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'aptp-sd21-train-'));
  if (only) return runVariant(only as Variant, dir, threads, batch, steps);
  try {
    if (!existsSync(sd21WeightsPath(dir))) await timed('write_safetensors', () => writeSd21Folder(dir));
    const variants = (arg(argv, '--variants')?.split(',') ?? [...VARIANTS]).filter((v): v is Variant => (VARIANTS as readonly string[]).includes(v));
    line('threads', threads);
    line('batch', batch);
    for (const variant of variants) {
      const child = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, '--variant', variant, '--dir', dir, '--threads', String(threads), '--batch', String(batch), '--steps', String(steps)], { stdio: 'inherit' });
      if (child.status !== 0) line(`${variant}_failed`, `exit ${child.status ?? child.signal ?? '?'}`);
    }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((cause: unknown) => {
  console.error(`sd21-unet-train bench: ${cause instanceof Error ? cause.stack ?? cause.message : String(cause)}`);
  process.exit(1);
});
