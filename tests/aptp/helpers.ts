// Test helpers for the APTP router and losses: the tiny and real UNet structures, running a graph
// on the CPU provider, and a central-difference gradient check of a scalar function built on an
// open builder (float64), differentiated through aptp/router's differentiate() (stop-gradients included).
import { GraphBuilder, type Graph, type Value } from '../../src/engine/ir';
import { emitModel } from '../../src/engine/onnx';
import { hostTensor, loadSession, type Feeds, type HostTensor } from '../../src/engine/runtime';
import { differentiate } from '../../src/engine/aptp/router';
import { gateLayout, presetUNetConfig, unetMacs } from '../../src/engine/models/sd/structure';
import { resolveUNet } from '../../src/engine/models/sd/unet/arch';
import { Random } from '../../src/engine/train/random';
import { randn, tinyUNetConfig } from '../engine/models/sd/unet/helpers';
import { STEP_INPUTS } from '../../src/engine/aptp/step/unet-step';

export function structureOf(which: 'tiny' | 'sd21' | 'sd15') {
  const arch = resolveUNet(which === 'tiny' ? tinyUNetConfig() : presetUNetConfig(which));
  const layout = gateLayout(arch);
  const macs = unetMacs(arch, which === 'tiny' ? { height: 8, width: 8 } : { height: 32, width: 32 });
  return { arch, layout, macs };
}

export async function runGraph(graph: Graph, feeds: Feeds): Promise<Record<string, HostTensor>> {
  const session = await loadSession({ bytes: emitModel(graph), name: graph.name }, 'cpu', { intraOpThreads: 1, optimization: 'basic' });
  try {
    return await session.run(feeds);
  } finally {
    await session.dispose();
  }
}

export function f64(dims: readonly number[], values: ArrayLike<number>): HostTensor<'float64'> {
  return hostTensor('float64', dims, Float64Array.from(values));
}

export function normals(n: number, seed: number, scale = 1): number[] {
  const r = new Random(seed);
  return Array.from({ length: n }, () => scale * r.normal());
}

export function numbers(t: HostTensor | undefined): number[] {
  if (!t) throw new Error('missing tensor');
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

export interface FdInput { readonly name: string; readonly dims: readonly number[]; readonly values: readonly number[] }

/**
 * Max relative error between autodiff's gradient of the scalar `f` and central differences (step h)
 * on up to `samples` entries of each input in `wrt` (float64).
 */
export async function fdCheck(inputs: readonly FdInput[], wrt: readonly string[], f: (b: GraphBuilder, x: Record<string, Value>) => Value, h = 1e-5, samples = 12): Promise<number> {
  const b = new GraphBuilder('fd');
  const x = Object.fromEntries(inputs.map((i) => [i.name, b.input(i.name, 'float64', i.dims)]));
  const loss = f(b, x);
  b.output(loss, 'loss');
  const forward = b.build();
  const withGrads = differentiate(b, loss, wrt.map((w) => x[w] as Value)).b.build();
  const feeds = (over?: { name: string; index: number; delta: number }): Feeds => Object.fromEntries(inputs.map((i) => {
    const v = Float64Array.from(i.values);
    if (over && over.name === i.name) v[over.index] = (v[over.index] ?? 0) + over.delta;
    return [i.name, hostTensor('float64', i.dims, v)];
  }));
  const analytic = await runGraph(withGrads, feeds());
  const session = await loadSession({ bytes: emitModel(forward), name: 'fd' }, 'cpu', { intraOpThreads: 1, optimization: 'basic' });
  let worst = 0;
  try {
    for (const name of wrt) {
      const input = inputs.find((i) => i.name === name);
      const g = numbers(analytic[`grad/${name}`]);
      const scale = Math.sqrt(g.reduce((s, v) => s + v * v, 0) / Math.max(1, g.length)) + 1e-12;
      const r = new Random(7);
      const picks = [...new Set(Array.from({ length: samples }, () => r.int(input?.values.length ?? 1)))];
      for (const index of picks) {
        const up = numbers((await session.run(feeds({ name, index, delta: h })))['loss'])[0] ?? 0;
        const down = numbers((await session.run(feeds({ name, index, delta: -h })))['loss'])[0] ?? 0;
        const numeric = (up - down) / (2 * h);
        worst = Math.max(worst, Math.abs(numeric - (g[index] ?? 0)) / (Math.abs(numeric) + scale));
      }
    }
  } finally {
    await session.dispose();
  }
  return worst;
}

/** The UNet step's non-gate inputs for `mb` prompts of the tiny UNet at 8x8 latents and 3 text tokens of 16 (seeded). */
export function tinyStepFeeds(mb: number): Record<string, HostTensor> {
  return {
    sample: randn([mb, 4, 8, 8], 1),
    timestep: hostTensor('float32', [mb], Float32Array.of(120, 700)),
    encoder_hidden_states: randn([mb, 3, 16], 2),
    [STEP_INPUTS.target]: randn([mb, 4, 8, 8], 3),
    [STEP_INPUTS.snrWeight]: hostTensor('float32', [mb], Float32Array.of(0.5, 1)),
    [STEP_INPUTS.termWeights]: hostTensor('float32', [3], Float32Array.of(1, 0.2, 0.2)),
  };
}
