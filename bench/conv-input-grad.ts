// The conv input gradient's cost on the CPU provider: a chain of 3x3 stride-1 convs (SD 2.1 widths
// and latent sizes) with SiLU between, differentiated to its input only (as the pruning step does:
// the weights are frozen), under each way of writing dx and each session setting. Each config runs
// in its own process, so RSS after load and peak are its own. Prints one line per config.
//   npx tsx bench/conv-input-grad.ts [--c 640] [--hw 16] [--batch 2] [--depth 6] [--threads 2]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gradients } from '../src/engine/autodiff';
import { GraphBuilder, type Value } from '../src/engine/ir';
import { writeModel } from '../src/engine/onnx';
import { hostTensor, loadSession, type SessionConfig } from '../src/engine/runtime';
import { Random, uniformFanIn } from '../src/engine/train';

const arg = (argv: readonly string[], name: string, fallback: string): string => (argv.includes(name) ? argv[argv.indexOf(name) + 1] ?? fallback : fallback);
const rssMb = (which: 'VmHWM' | 'VmRSS'): number => Math.round(Number(new RegExp(`${which}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024);

interface Shape { c: number; hw: number; batch: number; depth: number }

/**
 * The chain, its loss sum(h^2) and (train) d(loss)/d(x): by autodiff ('flip', the engine's rule)
 * or by a hand-written reverse pass whose conv input gradients are ConvTranspose over the same
 * weight initializers ('transpose', the alternative measured here).
 */
async function build(s: Shape, train: boolean, dx: string | undefined, dir: string): Promise<string> {
  const b = new GraphBuilder('conv_chain');
  const rand = new Random(3);
  const x = b.input('x', 'float32', [s.batch, s.c, s.hw, s.hw]);
  const layers: { pre: Value; w: Value }[] = [];
  let h = x;
  for (let i = 0; i < s.depth; i++) {
    const w = b.initializer(`w${i}`, uniformFanIn(rand, 'float32', [s.c, s.c, 3, 3], s.c * 9).data, [s.c, s.c, 3, 3]);
    layers.push({ pre: h, w });
    h = b.conv(b.silu(h), w, b.initializer(`b${i}`, new Float32Array(s.c), [s.c]), { pads: [1, 1, 1, 1] });
  }
  const loss = b.reduceSum(b.mul(h, h), undefined, false);
  b.output(loss, 'loss');
  if (train && dx !== 'transpose') b.output(gradients(b, loss, [x])[0] ?? x, 'dx');
  if (train && dx === 'transpose') {
    let g = b.mul(h, 2);
    for (const { pre, w } of [...layers].reverse()) {
      const gs = b.convTranspose(g, w, undefined, { pads: [1, 1, 1, 1] });
      const sig = b.sigmoid(pre); // silu'(a) = s(a) (1 + a (1 - s(a)))
      g = b.mul(gs, b.mul(sig, b.add(b.mul(pre, b.sub(1, sig)), 1)));
    }
    b.output(g, 'dx');
  }
  return (await writeModel(b.build(), join(dir, 'chain.onnx'), { externalThreshold: 0 })).modelPath;
}

async function child(s: Shape, train: boolean, dx: string | undefined, config: SessionConfig, label: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'conv-dx-'));
  const path = await build(s, train, dx, dir);
  const before = rssMb('VmRSS');
  const t0 = performance.now();
  const session = await loadSession({ path }, 'cpu', config);
  const load = (performance.now() - t0) / 1000;
  const grown = rssMb('VmRSS') - before;
  const rand = new Random(4);
  const n = s.batch * s.c * s.hw * s.hw;
  const feeds = { x: hostTensor('float32', [s.batch, s.c, s.hw, s.hw], Float32Array.from(rand.normals(n))) };
  await session.run(feeds);
  let best = Infinity;
  let bestCpu = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    await session.run(feeds);
    const used = process.cpuUsage(c);
    best = Math.min(best, (performance.now() - t) / 1000);
    bestCpu = Math.min(bestCpu, (used.user + used.system) / 1e6);
  }
  console.log(`${label.padEnd(34)} load ${load.toFixed(2)} s  load_rss +${grown} MB  peak ${rssMb('VmHWM')} MB  step ${best.toFixed(3)} s  cpu ${bestCpu.toFixed(3)} s`);
  await session.dispose();
  rmSync(dir, { recursive: true, force: true });
}

const NO_NCHWC = { disabledOptimizers: ['NchwcTransformer'] };
const CONFIGS: Record<string, { train: boolean; dx?: string; config: SessionConfig }> = {
  forward: { train: false, config: {} },
  'forward-nonchwc': { train: false, config: NO_NCHWC },
  flip: { train: true, dx: 'flip', config: {} },
  'flip-noprepack': { train: true, dx: 'flip', config: { prepacking: false } },
  'flip-nonchwc': { train: true, dx: 'flip', config: NO_NCHWC },
  tr: { train: true, dx: 'transpose', config: {} },
  'tr-noprepack': { train: true, dx: 'transpose', config: { prepacking: false } },
  'tr-nonchwc': { train: true, dx: 'transpose', config: NO_NCHWC },
  'tr-nonchwc-noprepack': { train: true, dx: 'transpose', config: { ...NO_NCHWC, prepacking: false } },
};

async function main(argv: readonly string[]): Promise<void> {
  const s: Shape = { c: Number(arg(argv, '--c', '640')), hw: Number(arg(argv, '--hw', '16')), batch: Number(arg(argv, '--batch', '2')), depth: Number(arg(argv, '--depth', '6')) };
  const threads = Number(arg(argv, '--threads', '2'));
  const only = arg(argv, '--config', '');
  if (only) {
    const c = CONFIGS[only];
    if (!c) throw new Error(`no config ${only}`);
    return child(s, c.train, c.dx, { ...c.config, intraOpThreads: threads, interOpThreads: 1 }, only);
  }
  console.log(`conv chain: ${s.depth} x conv3x3 ${s.c}->${s.c} on [${s.batch}, ${s.c}, ${s.hw}, ${s.hw}], weights ${(s.depth * s.c * s.c * 9 * 4 / 1e6).toFixed(0)} MB, ${threads} threads`);
  for (const name of (arg(argv, '--configs', Object.keys(CONFIGS).join(','))).split(',')) {
    const done = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, ...argv, '--config', name], { stdio: 'inherit' });
    if (done.status !== 0) console.log(`${name}: failed (${done.status ?? done.signal})`);
  }
}

main(process.argv.slice(2)).catch((cause: unknown) => {
  console.error(cause instanceof Error ? cause.stack ?? cause.message : String(cause));
  process.exit(1);
});
