// The architectures codes ship as (router/calibrated-experts.ts), on the tiny UNet's gate layout
// with logits around the offset's -3 as after training: the expected MACs from the entries'
// on-probabilities equal the mean MACs of the hard gates the real Gumbel-sigmoid graph draws (2,000
// draws); the shift 0 gives exactly the graph's noise-free hard gates; MACs never fall as the shift
// grows; the shipped gates are the shift whose MACs come closest to the expectation (no other shift
// comes closer); and here, as on trained runs, the noise-free architecture costs less than that.
import { describe, expect, it } from 'vitest';
import { gatedMacs, resourceModel } from '../../src/engine/aptp/losses';
import { calibratedExpert, gatePreactivations, gumbelGates, gumbelNoise, onProbabilities, routerSpec, shiftedHardGates } from '../../src/engine/aptp/router';
import { GraphBuilder } from '../../src/engine/ir';
import { Random } from '../../src/engine/train/random';
import { f64, normals, numbers, runGraph, structureOf } from './helpers';

const { arch, layout, macs } = structureOf('tiny');
const spec = routerSpec(arch, layout, 16, { experts: 4 });
const resource = resourceModel(layout, macs);
const L = layout.vectorLength;
const logits = normals(L, 7, 2).map((x) => x - 3);

/** Pre-activations [L] and soft gates [rows, L] of `logits` with `noise` (rows x L, or none), through the real graph. */
async function throughGraph(noise: number[] | null, rows: number): Promise<{ pre: number[]; gates: number[] }> {
  const b = new GraphBuilder('g');
  const z = b.input('z', 'float64', [rows, L]);
  const g = noise ? b.input('g', 'float64', [rows, L]) : null;
  b.output(gatePreactivations(b, spec, z), 'pre');
  b.output(gumbelGates(b, spec, z, g), 'gates');
  const feeds = { z: f64([rows, L], Array.from({ length: rows }, () => logits).flat()), ...(noise ? { g: f64([rows, L], noise) } : {}) };
  const out = await runGraph(b.build(), feeds);
  return { pre: numbers(out['pre']).slice(0, L), gates: numbers(out['gates']) };
}

const hard = (gates: number[]): number[] => gates.map((x) => (x >= 0.5 ? 1 : 0));

describe('calibrated expert architectures', () => {
  it('expect the MACs the training noise gives on average, and ship the closest hard gates', async () => {
    const rows = 2000;
    const noisy = await throughGraph(Array.from(gumbelNoise(new Random(11), rows * L)), rows);
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += gatedMacs(resource, hard(noisy.gates.slice(r * L, (r + 1) * L))) / rows;
    const { pre, gates: clean } = await throughGraph(null, 1);
    const expected = gatedMacs(resource, onProbabilities(spec, pre));
    expect(Math.abs(expected - mean) / mean).toBeLessThan(0.01);

    expect(Array.from(shiftedHardGates(spec, pre, 0))).toEqual(hard(clean));
    const flips = [...new Set(pre.map((x) => -(x + spec.offset)))].sort((a, b) => a - b);
    const costs = flips.map((s) => gatedMacs(resource, shiftedHardGates(spec, pre, s)));
    costs.forEach((c, i) => { if (i > 0) expect(c).toBeGreaterThanOrEqual(costs[i - 1]!); });

    const shipped = calibratedExpert(spec, resource, pre);
    expect(shipped.expectedMacs).toBe(expected);
    expect(shipped.macs).toBe(gatedMacs(resource, shipped.gates));
    const best = Math.min(...costs.map((c) => Math.abs(c - expected)));
    expect(Math.abs(shipped.macs - expected)).toBe(best);
    const noiseFree = gatedMacs(resource, hard(clean));
    expect(noiseFree).toBeLessThan(expected);
    expect(Math.abs(shipped.macs - expected)).toBeLessThan(Math.abs(noiseFree - expected));
  });

  it('keep every entry when the expectation is the whole UNet, and one per group when nothing is expected', () => {
    const on = calibratedExpert(spec, resource, new Array<number>(L).fill(20));
    expect(Array.from(on.gates).every((g) => g === 1)).toBe(true);
    expect(on.macs).toBe(macs.total);
    const off = calibratedExpert(spec, resource, new Array<number>(L).fill(-40));
    for (const [offset, width] of spec.tables.groups) expect(Array.from(off.gates.subarray(offset, offset + width)).reduce((a, b) => a + b, 0)).toBe(1);
  });
});
