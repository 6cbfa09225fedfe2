// APTP's losses on onnxruntime: the resource ratio against MACs counted directly from the UNet's
// unit table, the budget conversion, resource/std/max and contrastive losses against their
// formulas, the UNet-side per-sample losses, gradients against central differences, and the
// objective config's presets and refusals (min-SNR weights: tests/engine/models/sd/schedulers).
import { describe, expect, it } from 'vitest';
import {
  blockLoss, contrastiveLoss, ddpmLoss, distillationLoss, maxLoss, OBJECTIVE_PRESETS, prunableTarget, resourceLoss, resourceModel,
  resourceRatio, stage1Objective, stdLoss,
} from '../../src/engine/aptp/losses';
import { GraphBuilder } from '../../src/engine/ir';
import { f64, fdCheck, normals, numbers, runGraph, structureOf } from './helpers';

async function rhoOf(which: 'tiny' | 'sd21', gates: number[][]): Promise<number[]> {
  const { layout, macs } = structureOf(which);
  const b = new GraphBuilder('rho');
  const x = b.input('x', 'float64', [gates.length, layout.vectorLength]);
  b.output(resourceRatio(b, resourceModel(layout, macs), x), 'rho');
  return numbers((await runGraph(b.build(), { x: f64([gates.length, layout.vectorLength], gates.flat()) }))['rho']);
}

/** R(a)/R(all on) counted unit by unit from the MACs table (APTP.md's formula), for checking the graph. */
function directRho(which: 'tiny' | 'sd21', gates: number[]): number {
  const { layout, macs } = structureOf(which);
  const hard = gates.map((v) => (v >= 0.5 ? 1 : 0));
  let r = 0;
  for (const u of macs.units) {
    let width = 0;
    for (const g of layout.widthGroups.filter((w) => w.unit === u.unit)) for (let e = g.offset; e < g.offset + g.width; e++) width += (hard[e] ?? 0) * (macs.perEntry[g.id] ?? 0);
    const d = layout.depthGroups.find((g) => g.unit === u.unit);
    r += d ? (hard[d.offset] ?? 0) * (width + u.fixed) : width;
  }
  return r / macs.prunable;
}

describe('resource ratio', () => {
  it.each(['tiny', 'sd21'] as const)('%s: all on is 1, all off is 0, a random architecture matches the unit-by-unit count', async (which) => {
    const l = structureOf(which).layout.vectorLength;
    const random = normals(l, 3).map((v) => 0.5 + 0.4 * v);
    const [on, off, mixed] = await rhoOf(which, [new Array<number>(l).fill(0.9), new Array<number>(l).fill(0.1), random]);
    expect(on).toBeCloseTo(1, 12);
    expect(off).toBe(0);
    expect(mixed).toBeCloseTo(directRho(which, random), 12);
    expect(mixed).toBeGreaterThan(0.05);
  });

  it('converts the budget from total to prunable MACs (SD 2.1, 256 px, 77-token keys)', () => {
    const { layout, macs } = structureOf('sd21');
    const model = resourceModel(layout, macs);
    expect(prunableTarget(0.6, model)).toBeCloseTo(1 - (0.4 * macs.total) / macs.prunable, 12);
    expect(prunableTarget(1, model)).toBe(1);
    expect(() => prunableTarget(0, model)).toThrow(/\(0, 1\]/);
    expect(() => prunableTarget(1.2, model)).toThrow(/\(0, 1\]/);
    expect(() => prunableTarget(0.1, model)).toThrow(/below what pruning can reach/);
  });
});

describe('router-side losses', () => {
  const rho = [0.5, 0.7, 0.9, 0.6];
  async function scalar(f: (b: GraphBuilder, x: ReturnType<GraphBuilder['input']>) => ReturnType<GraphBuilder['input']>, values: number[]): Promise<number> {
    const b = new GraphBuilder('l');
    const x = b.input('x', 'float64', [values.length]);
    b.output(f(b, x), 'y');
    return numbers((await runGraph(b.build(), { x: f64([values.length], values) }))['y'])[0] ?? NaN;
  }
  const mean = rho.reduce((a, v) => a + v, 0) / 4;

  it('resource |log(mean/target)|, std as torch.std (unbiased), max', async () => {
    expect(await scalar((b, x) => resourceLoss(b, x, 0.8), rho)).toBeCloseTo(Math.abs(Math.log(mean / 0.8)), 12);
    expect(await scalar((b, x) => resourceLoss(b, x, 0.5), rho)).toBeCloseTo(Math.abs(Math.log(mean / 0.5)), 12);
    const std = Math.sqrt(rho.reduce((a, v) => a + (v - mean) ** 2, 0) / 3);
    expect(await scalar((b, x) => stdLoss(b, x), rho)).toBeCloseTo(-std, 10);
    expect(await scalar((b, x) => maxLoss(b, x), rho)).toBeCloseTo(0.1, 12);
    expect(await scalar((b, x) => stdLoss(b, x), [0.4])).toBe(0);
  });

  it('contrastive BCE of the two softmaxed similarity matrices', async () => {
    const a = normals(12, 1);
    const p = normals(8, 2);
    const b = new GraphBuilder('c');
    b.output(contrastiveLoss(b, b.input('a', 'float64', [4, 3]), b.input('p', 'float64', [4, 2]), { arch: 0.5, prompt: 0.3 }), 'y');
    const got = numbers((await runGraph(b.build(), { a: f64([4, 3], a), p: f64([4, 2], p) }))['y'])[0];
    const soft = (v: number[], d: number, tau: number): number[][] => {
      const rows = [0, 1, 2, 3].map((i) => { const r = v.slice(i * d, i * d + d); const n = Math.hypot(...r); return r.map((x) => x / n); });
      return rows.map((ri) => { const s = rows.map((rj) => Math.exp(ri.reduce((acc, x, k) => acc + x * (rj[k] ?? 0), 0) / tau)); const z = s.reduce((q, w) => q + w, 0); return s.map((w) => w / z); });
    };
    const x = soft(a, 3, 0.5).flat();
    const t = soft(p, 2, 0.3).flat();
    const expected = -x.reduce((acc, xi, i) => acc + (t[i] ?? 0) * Math.log(xi) + (1 - (t[i] ?? 0)) * Math.log(1 - xi), 0) / 16;
    expect(got).toBeCloseTo(expected, 12);
  });

  it('match central differences (float64)', async () => {
    const r = { name: 'rho', dims: [5], values: [0.5, 0.72, 0.9, 0.61, 0.33] };
    expect(await fdCheck([r], ['rho'], (b, x) => b.add(b.add(resourceLoss(b, x['rho']!, 0.6), stdLoss(b, x['rho']!)), maxLoss(b, x['rho']!)))).toBeLessThan(1e-6);
    const a = { name: 'a', dims: [5, 7], values: normals(35, 5) };
    const p = { name: 'p', dims: [5, 4], values: normals(20, 6) };
    expect(await fdCheck([a, p], ['a'], (b, x) => contrastiveLoss(b, x['a']!, x['p']!, { arch: 0.3, prompt: 0.2 }))).toBeLessThan(1e-6);
  });
});

describe('UNet-side losses', () => {
  it('per-sample DDPM, distillation and block losses match central differences', async () => {
    const s = { name: 's', dims: [2, 3, 2, 2], values: normals(24, 1) };
    const t = { name: 't', dims: [2, 3, 2, 2], values: normals(24, 2) };
    const w = { name: 'w', dims: [2], values: [0.3, 1.1] };
    const s2 = { name: 's2', dims: [2, 5], values: normals(10, 3) };
    const t2 = { name: 't2', dims: [2, 5], values: normals(10, 4) };
    const err = await fdCheck([s, t, w, s2, t2], ['s', 's2'], (b, x) => {
      const terms = [ddpmLoss(b, x['s']!, x['t']!, x['w']!), distillationLoss(b, x['s']!, x['t']!), blockLoss(b, [b.reshape(x['s']!, [2, 12]), x['s2']!], [b.reshape(x['t']!, [2, 12]), x['t2']!])];
      return b.reduceSum(b.mul(terms.reduce((acc, v) => b.add(acc, v)), b.constant('float64', [2], [1, 2])), undefined, false);
    });
    expect(err).toBeLessThan(1e-6);
    const b = new GraphBuilder('v');
    b.output(ddpmLoss(b, b.input('s', 'float64', [2, 3]), b.input('t', 'float64', [2, 3]), b.input('w', 'float64', [2])), 'y');
    const y = numbers((await runGraph(b.build(), { s: f64([2, 3], [1, 2, 3, 0, 0, 0]), t: f64([2, 3], [0, 0, 0, 1, 1, 1]), w: f64([2], [2, 0.5]) }))['y']);
    expect(y).toEqual([2 * 14 / 3, 0.5]);
    expect(() => blockLoss(b, [], [])).toThrow(/one teacher output per student/);
  });
});

describe('stage-1 objective config', () => {
  it('has the paper\'s weights by default, the baseline\'s DDPM + resource only', () => {
    expect(OBJECTIVE_PRESETS.coco.weights).toEqual({ ddpm: 1, resource: 2, contrastive: 100, distill: 0.2, block: 0.2, std: 0.1, max: 0.1 });
    expect(OBJECTIVE_PRESETS.baseline.router.kind).toBe('single');
    expect(stage1Objective('quick', { router: { optimalTransport: false } }).router.optimalTransport).toBe(false);
  });

  it('refuses a bad value naming the field', () => {
    expect(() => stage1Objective('coco', { weights: { resource: -1 } })).toThrow(/'weights.resource'/);
    expect(() => stage1Objective('coco', { router: { experts: 0 } })).toThrow(/'router.experts'/);
  });
});
