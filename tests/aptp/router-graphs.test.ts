// The router's graph functions and graphs on onnxruntime: Gumbel gates (offset/temperature, the
// depth importance order, the non-zero-width fix), straight-through hard values and stop-gradients,
// Sinkhorn's balance, gradients against central differences, and the three whole graphs (the
// inference router is the deterministic argmax of the training forward without noise).
import { describe, expect, it } from 'vitest';
import {
  buildInferenceRouter, buildRouterForward, buildRouterStep, differentiate, gumbelGates, gumbelNoise, hardGates, initRouterParams,
  ROUTER_INPUTS, ROUTER_OUTPUTS, routerSpec, sinkhorn, stopGradient,
} from '../../src/engine/aptp/router';
import { prunableTarget, resourceModel } from '../../src/engine/aptp/losses';
import { GraphBuilder } from '../../src/engine/ir';
import { hostTensor, type HostTensor } from '../../src/engine/runtime';
import { Random } from '../../src/engine/train/random';
import { f64, fdCheck, normals, numbers, runGraph, structureOf } from './helpers';

const { arch, layout, macs } = structureOf('tiny');
const spec = routerSpec(arch, layout, 16, { experts: 4 });
const L = layout.vectorLength;
const W = layout.widthEntries;
const D = layout.depthGroups.length;

async function gates(logits: number[], noise: number[] | null, rows: number): Promise<number[]> {
  const b = new GraphBuilder('g');
  const z = b.input('z', 'float64', [rows, L]);
  const g = noise ? b.input('g', 'float64', [rows, L]) : null;
  b.output(gumbelGates(b, spec, z, g), 'y');
  const feeds: Record<string, HostTensor> = { z: f64([rows, L], logits) };
  if (noise) feeds['g'] = f64([rows, L], noise);
  return numbers((await runGraph(b.build(), feeds))['y']);
}

describe('Gumbel-sigmoid gates', () => {
  it('are sigmoid((z + g + 3)/0.4) on width entries', async () => {
    const z = normals(2 * L, 1);
    const g = normals(2 * L, 2, 0.5);
    const y = await gates(z, g, 2);
    for (const row of [0, 1]) for (const e of [0, 5, W - 1]) {
      const i = row * L + e;
      expect(y[i]).toBeCloseTo(1 / (1 + Math.exp(-((z[i] ?? 0) + (g[i] ?? 0) + 3) / 0.4)), 12);
    }
  });

  it('rank depth gates by the depth order: equal logits, no noise -> keep scores fall along the order', async () => {
    const y = await gates(new Array<number>(L).fill(0), null, 1);
    const depth = spec.depthOrder.map((gate) => y[W + gate] ?? 0);
    for (let j = 1; j < D; j++) expect(depth[j]).toBeLessThan(depth[j - 1] ?? 0);
    // position j holds inverse-sigmoid of the flipped CDF: (D - j)/D
    const x = (D - 2) / D;
    expect(y[W + (spec.depthOrder[2] ?? 0)]).toBeCloseTo(1 / (1 + Math.exp(-(Math.log(x + 1e-6) - Math.log(1 - x + 1e-6) + 3) / 0.4)), 10);
  });

  it('adds 0.5 to the first entry of a width group whose hard values are all 0, and only there', async () => {
    const z = new Array<number>(2 * L).fill(0);
    const [offset, width] = spec.tables.groups[1] ?? [0, 0];
    for (let e = offset; e < offset + width; e++) z[e] = -20; // row 0: group 1 all off
    z[L + offset] = -20; // row 1: one entry off, the rest on
    const y = await gates(z, null, 2);
    const off = 1 / (1 + Math.exp(-(-20 + 3) / 0.4));
    expect(y[offset]).toBeCloseTo(off + 0.5, 12);
    expect(y[offset + 1]).toBeCloseTo(off, 12);
    expect(y[L + offset]).toBeCloseTo(off, 12);
  });

  it('match central differences (float64)', async () => {
    const err = await fdCheck([{ name: 'z', dims: [2, L], values: normals(2 * L, 3) }, { name: 'r', dims: [2, L], values: normals(2 * L, 4) }], ['z'],
      (b, x) => b.reduceSum(b.mul(gumbelGates(b, spec, x['z']!, null), x['r']!), undefined, false));
    expect(err).toBeLessThan(1e-6);
  });

  it('draws Gumbel noise from a seed, repeatably', () => {
    const a = gumbelNoise(new Random(1), 1000);
    expect(gumbelNoise(new Random(1), 1000)).toEqual(a);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean).toBeGreaterThan(0.45); // Euler-Mascheroni 0.577
    expect(mean).toBeLessThan(0.7);
  });
});

describe('straight-through hard values and stop-gradients', () => {
  it('hardGates is step(x >= 0.5) forward and the identity backward', async () => {
    const b = new GraphBuilder('ste');
    const x = b.input('x', 'float64', [5]);
    const r = b.input('r', 'float64', [5]);
    const y = hardGates(b, x);
    b.output(y, 'y');
    const { b: withGrad } = differentiate(b, b.reduceSum(b.mul(y, r), undefined, false), [x]);
    const out = await runGraph(withGrad.build(), { x: f64([5], [0.1, 0.5, 0.49, 0.9, 1.4]), r: f64([5], [1, 2, 3, 4, 5]) });
    expect(numbers(out['y'])).toEqual([0, 1, 0, 1, 1]);
    expect(numbers(out['grad/x'])).toEqual([1, 2, 3, 4, 5]);
  });

  it('stopGradient blocks exactly its own path', async () => {
    const b = new GraphBuilder('stop');
    const x = b.input('x', 'float64', [2]);
    const loss = b.reduceSum(b.add(b.mul(x, 3), stopGradient(b, b.mul(x, x))), undefined, false);
    b.output(loss, 'loss');
    const out = await runGraph(differentiate(b, loss, [x]).b.build(), { x: f64([2], [2, -1]) });
    expect(numbers(out['grad/x'])).toEqual([3, 3]);
    expect(numbers(out['loss'])).toEqual([8]);
  });
});

describe('Sinkhorn', () => {
  it('gives each sample a distribution and each code about N/K of the mass', async () => {
    const b = new GraphBuilder('s');
    const s = b.input('s', 'float64', [12, 4]);
    b.output(sinkhorn(b, s, 0.05, 3), 'q');
    // every sample prefers code 0 a little: argmax collapses, optimal transport spreads
    const scores = Array.from({ length: 48 }, (_, i) => (i % 4 === 0 ? 0.9 : 0.8) + 0.05 * Math.sin(i * 1.7));
    const q = numbers((await runGraph(b.build(), { s: f64([12, 4], scores) }))['q']);
    for (let n = 0; n < 12; n++) expect(q.slice(n * 4, n * 4 + 4).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 10);
    const perCode = [0, 1, 2, 3].map((k) => q.filter((_, i) => i % 4 === k).reduce((a, v) => a + v, 0));
    for (const m of perCode) expect(m).toBeGreaterThan(2.5);
    const used = new Set(Array.from({ length: 12 }, (_, n) => { const row = q.slice(n * 4, n * 4 + 4); return row.indexOf(Math.max(...row)); }));
    expect(used.size).toBeGreaterThan(2);
  });

  it('matches central differences (float64)', async () => {
    const err = await fdCheck([{ name: 's', dims: [6, 3], values: normals(18, 8, 0.05) }, { name: 'r', dims: [6, 3], values: normals(18, 9) }], ['s'],
      (b, x) => b.reduceSum(b.mul(sinkhorn(b, x['s']!, 0.05, 3), x['r']!), undefined, false));
    expect(err).toBeLessThan(1e-6);
  });
});

describe('router graphs', () => {
  const B = 6;
  const params = initRouterParams(spec, 11);
  const res = resourceModel(layout, macs);
  const r = new Random(12);
  const feeds: Record<string, HostTensor> = Object.fromEntries(params.map((p) => [p.name, hostTensor('float32', p.dims, p.data)]));
  feeds[ROUTER_INPUTS.embedding] = hostTensor('float32', [B, 16], Float32Array.from({ length: B * 16 }, () => r.normal()));
  feeds[ROUTER_INPUTS.predictorNoise] = hostTensor('float32', [B, L], gumbelNoise(r, B * L));
  feeds[ROUTER_INPUTS.codeNoise] = hostTensor('float32', [4, L], gumbelNoise(r, 4 * L));
  const losses = { resource: res, target: prunableTarget(0.7, res), weights: { resource: 2, contrastive: 100, std: 0.1, max: 0.1 }, temperatures: { arch: 0.03, prompt: 0.03 } };

  it('forward gates the UNet with the assigned code (training) and its rho matches the step graph', async () => {
    const fwd = await runGraph(buildRouterForward(spec, B, 'code', res), feeds);
    const assignment = numbers(fwd[ROUTER_OUTPUTS.assignment]);
    const codes = numbers(fwd[ROUTER_OUTPUTS.codeGates]);
    const g = numbers(fwd[ROUTER_OUTPUTS.gates]);
    assignment.forEach((k, n) => expect(g.slice(n * L, (n + 1) * L)).toEqual(codes.slice(k * L, (k + 1) * L)));
    const step = await runGraph(buildRouterStep(spec, B, 'code', losses), {
      ...feeds, [ROUTER_INPUTS.assignment]: fwd[ROUTER_OUTPUTS.assignment]!, [ROUTER_INPUTS.gateSeed]: hostTensor('float32', [B, L], new Float32Array(B * L)),
    });
    expect(numbers(step[ROUTER_OUTPUTS.rho])).toEqual(numbers(fwd[ROUTER_OUTPUTS.rho]));
    for (const name of ['grad/router/predictor.weight', 'grad/router/predictor.bias', 'grad/router/codebook']) expect(numbers(step[name]).every(Number.isFinite)).toBe(true);
  });

  it('in predictor pre-training the codebook gets no gradient and the seed reaches the predictor', async () => {
    const seed = hostTensor('float32', [B, L], Float32Array.from({ length: B * L }, () => r.normal()));
    const step = await runGraph(buildRouterStep(spec, B, 'predictor', { ...losses, weights: { resource: 0, contrastive: 0, std: 0, max: 0 } }), { ...feeds, [ROUTER_INPUTS.gateSeed]: seed });
    expect(numbers(step['grad/router/codebook']).every((v) => v === 0)).toBe(true);
    expect(numbers(step['grad/router/predictor.bias']).some((v) => v !== 0)).toBe(true);
  });

  it('inference routing is deterministic: the argmax of the training forward without noise', async () => {
    const inference = buildInferenceRouter(spec, params, B);
    const expert = numbers((await runGraph(inference, { [ROUTER_INPUTS.embedding]: feeds[ROUTER_INPUTS.embedding]! }))[ROUTER_OUTPUTS.expert]);
    const noOt = routerSpec(arch, layout, 16, { experts: 4, optimalTransport: false });
    const zero = { ...feeds, [ROUTER_INPUTS.predictorNoise]: hostTensor('float32', [B, L], new Float32Array(B * L)), [ROUTER_INPUTS.codeNoise]: hostTensor('float32', [4, L], new Float32Array(4 * L)) };
    const fwd = await runGraph(buildRouterForward(noOt, B, 'code', res), zero);
    // training computes in float64, the shipped router in float32: they agree wherever the best
    // code wins by more than float32 rounding (a near-tie may go to either of the two)
    const scores = numbers(fwd[ROUTER_OUTPUTS.scores]);
    const clear = Array.from({ length: B }, (_, n) => {
      const row = scores.slice(n * 4, (n + 1) * 4).sort((a, b) => b - a);
      return (row[0] ?? 0) - (row[1] ?? 0) > 1e-6; // 16 float32 steps at a cosine near 1
    });
    expect(clear.filter(Boolean).length).toBeGreaterThanOrEqual(B / 2);
    const assigned = numbers(fwd[ROUTER_OUTPUTS.assignment]);
    expect(expert.filter((_, n) => clear[n])).toEqual(assigned.filter((_, n) => clear[n]));
    expect(expert.every((k) => k >= 0 && k < 4)).toBe(true);
  });

  it('the baseline gates every prompt with one vector', async () => {
    const single = routerSpec(arch, layout, 16, { kind: 'single' });
    const p = initRouterParams(single, 2);
    const out = await runGraph(buildRouterForward(single, B, 'predictor', res), {
      ...Object.fromEntries(p.map((q) => [q.name, hostTensor('float32', q.dims, q.data)])),
      [ROUTER_INPUTS.embedding]: feeds[ROUTER_INPUTS.embedding]!, [ROUTER_INPUTS.predictorNoise]: hostTensor('float32', [1, L], gumbelNoise(r, L)),
    });
    const g = numbers(out[ROUTER_OUTPUTS.gates]);
    for (let n = 1; n < B; n++) expect(g.slice(n * L, (n + 1) * L)).toEqual(g.slice(0, L));
    expect(() => buildRouterStep(single, B, 'code', losses)).toThrow(/codebook/);
    expect(() => buildInferenceRouter(single, p, B)).toThrow(/needs no router/);
  });
});
