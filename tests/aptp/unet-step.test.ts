// The UNet side of the pruning step: with every gate on the student is the teacher (distillation
// and block losses are exactly 0, the DDPM term is the plain model's), and d(total)/d(gates) from
// autodiff matches central differences of the graph's own total on a few entries of each kind.
import { afterAll, describe, expect, it } from 'vitest';
import { buildUNetStep, STEP_OUTPUTS } from '../../src/engine/aptp/step/unet-step';
import { ARCH_VECTOR_INPUT } from '../../src/engine/models/sd/structure/gates';
import { randomWeights } from '../../src/engine/models/sd/unet/layers';
import { emitModel } from '../../src/engine/onnx';
import { loadSession, type HostTensor } from '../../src/engine/runtime';
import { filled, tinyUNetConfig } from '../engine/models/sd/unet/helpers';
import { tinyStepFeeds } from './helpers';

const MB = 2;
const step = buildUNetStep({ config: tinyUNetConfig({ layers_per_block: 1 }), weights: randomWeights(5), microBatch: MB, height: 8, width: 8, textLength: 3 });
const L = step.layout.vectorLength;
const feeds = tinyStepFeeds(MB);
const session = await loadSession({ bytes: emitModel(step.graph), name: 'step' }, 'cpu');
afterAll(() => session.dispose());
const run = (v: HostTensor) => session.run({ ...feeds, [ARCH_VECTOR_INPUT]: v });
const sum = (t: HostTensor): number => Array.from(t.data as Float32Array).reduce((a, b) => a + b, 0);

describe('UNet pruning step graph', () => {
  it('has zero distillation and block loss when every gate is on, and one block term per UNet block', async () => {
    expect(step.blocks).toHaveLength(5);
    const out = await run(filled([MB, L], 1));
    expect(Math.max(...Array.from(out[STEP_OUTPUTS.distill]!.data as Float32Array).map(Math.abs))).toBeLessThan(1e-10);
    expect(Math.max(...Array.from(out[STEP_OUTPUTS.block]!.data as Float32Array).map(Math.abs))).toBeLessThan(1e-10);
    expect(sum(out[STEP_OUTPUTS.ddpm]!)).toBeGreaterThan(0);
  });

  it('gives d(total)/d(gates) that matches central differences', async () => {
    const gates = filled([MB, L], 0.7);
    const g = (await run(gates))[STEP_OUTPUTS.gradGates]!.data as Float32Array;
    const picks = ['resnet', 'attn1', 'attn2', 'ff', 'depth'].map((kind) => step.layout.groups.find((x) => x.kind === kind)!.offset);
    const entries = [...picks, ...picks.map((i) => L + i + 1)];
    for (const i of entries) {
      const shifted = async (h: number) => {
        const v = filled([MB, L], 0.7);
        v.data[i] = 0.7 + h;
        return sum((await run(v))[STEP_OUTPUTS.total]!);
      };
      const h = 1e-2;
      const numeric = ((await shifted(h)) - (await shifted(-h))) / (2 * h);
      expect(Math.abs((g[i] ?? 0) - numeric)).toBeLessThan(3e-3 * Math.max(1, Math.abs(numeric)) + 1e-4);
    }
    expect(entries.filter((i) => Math.abs(g[i] ?? 0) > 1e-5).length).toBeGreaterThan(5);
  });
});
