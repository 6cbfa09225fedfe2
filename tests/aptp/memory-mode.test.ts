// The pruning step's memory modes (step/memory-mode.ts) on a tiny UNet. In 'lean' every conv input
// gradient is a ConvTranspose over the forward Conv's own weight initializer and every Conv reads
// an initializer (no flipped copy for onnxruntime to fold); in 'fast' stride-1 convs get the
// flipped-kernel Conv instead, so ConvTranspose is left only for the strided downsamplers. Both
// give the same d(total)/d(gates) to float32 rounding, each on its own session settings. The
// config key defaults to 'fast', keeps 'lean' and refuses anything else.
import { afterAll, describe, expect, it } from 'vitest';
import { MEMORY_MODES, sessionForMemory, type MemoryMode } from '../../src/engine/aptp/step/memory-mode';
import { stepMemoryBytes } from '../../src/engine/aptp/trainer/setup';
import { buildUNetStep, STEP_OUTPUTS, type UNetStepGraph } from '../../src/engine/aptp/step/unet-step';
import type { Graph, Node } from '../../src/engine/ir/graph';
import { ARCH_VECTOR_INPUT } from '../../src/engine/models/sd/structure/gates';
import { buildUNet, shapeOnlyWeights } from '../../src/engine/models/sd/unet';
import { randomWeights } from '../../src/engine/models/sd/unet/layers';
import { emitModel } from '../../src/engine/onnx';
import { hostTensor, loadSession, type RuntimeSession } from '../../src/engine/runtime';
import { pruneConfigSchema } from '../../src/shared/prune-api';
import { tinyUNetConfig } from '../engine/models/sd/unet/helpers';
import { tinyStepFeeds } from './helpers';

const MB = 2;
const build = (memory: MemoryMode): UNetStepGraph => buildUNetStep({ config: tinyUNetConfig({ layers_per_block: 1 }), weights: randomWeights(5), microBatch: MB, height: 8, width: 8, textLength: 3, convInputGrad: MEMORY_MODES[memory].convInputGrad });
const steps = { fast: build('fast'), lean: build('lean') };
const sessions: RuntimeSession[] = [];
afterAll(async () => { for (const s of sessions) await s.dispose(); });

const initializerNames = (g: Graph): Set<string> => new Set(g.initializers.map((i) => i.value.name));
const ofOp = (g: Graph, op: string): Node[] => g.nodes.filter((n) => n.op === op);
const weightName = (n: Node): string => n.inputs[1]?.name ?? '';
const strided = (n: Node): boolean => ((n.attrs as { strides?: number[] }).strides ?? []).some((s) => s > 1);
/** Forward convs: the UNet's own Conv nodes (outside the backward scopes). */
const forwardConvs = (g: Graph): Node[] => ofOp(g, 'Conv').filter((n) => !n.name.startsWith('backward/'));

describe('memory modes of the pruning step', () => {
  it("lean: conv input gradients are ConvTranspose over the forward conv's own weight initializer, and every Conv reads an initializer", () => {
    const g = steps.lean.graph;
    const inits = initializerNames(g);
    const transposes = ofOp(g, 'ConvTranspose');
    const forwardWeights = new Set(forwardConvs(g).map(weightName));
    expect(transposes.length).toBeGreaterThan(10);
    for (const t of transposes) {
      expect(inits.has(weightName(t)), `${t.name} reads ${weightName(t)}`).toBe(true);
      expect(forwardWeights.has(weightName(t)), `${t.name} reads ${weightName(t)}`).toBe(true);
    }
    // every conv whose input depends on the gates gets one; only the two before the first gate do not
    const covered = new Set(transposes.map(weightName));
    expect([...forwardWeights].filter((w) => !covered.has(w)).sort()).toEqual(['conv_in.weight', 'down_blocks.0.resnets.0.conv1.weight']);
    for (const c of ofOp(g, 'Conv')) expect(inits.has(weightName(c)), `${c.name} reads ${weightName(c)}`).toBe(true);
  });

  it('fast: stride-1 conv input gradients are Convs over a flipped kernel; ConvTranspose only for strided convs', () => {
    const g = steps.fast.graph;
    const inits = initializerNames(g);
    const stridedWeights = new Set(forwardConvs(g).filter(strided).map(weightName));
    const transposes = ofOp(g, 'ConvTranspose');
    expect(stridedWeights.size).toBeGreaterThan(0);
    expect(transposes.map(weightName).sort()).toEqual([...stridedWeights].sort());
    const flipped = ofOp(g, 'Conv').filter((c) => c.name.startsWith('backward/') && !inits.has(weightName(c)));
    expect(flipped.length).toBe(ofOp(steps.lean.graph, 'ConvTranspose').length - transposes.length);
  });

  it('gives the same gate gradient and losses in both modes, each on its own session settings', async () => {
    const L = steps.lean.layout.vectorLength;
    const feeds = {
      ...tinyStepFeeds(MB),
      [ARCH_VECTOR_INPUT]: hostTensor('float32', [MB, L], Float32Array.from({ length: MB * L }, (_, i) => 0.5 + 0.45 * Math.sin(i))),
    };
    const out = async (memory: MemoryMode) => {
      const s = await loadSession({ bytes: emitModel(steps[memory].graph), name: `step-${memory}` }, 'cpu', sessionForMemory({ intraOpThreads: 1 }, memory));
      sessions.push(s);
      return s.run(feeds);
    };
    const [fast, lean] = [await out('fast'), await out('lean')];
    for (const name of [STEP_OUTPUTS.gradGates, STEP_OUTPUTS.total]) {
      const a = fast[name]?.data as Float32Array;
      const b = lean[name]?.data as Float32Array;
      const scale = Math.max(...Array.from(a, Math.abs));
      expect(scale).toBeGreaterThan(0);
      const worst = Math.max(...Array.from(a, (v, i) => Math.abs(v - (b[i] ?? Number.NaN))));
      expect(worst, name).toBeLessThan(1e-5 * scale);
    }
  });

  it("each mode's session settings merge with the caller's: fast plans no per-run block, lean keeps one copy of each weight", () => {
    expect(sessionForMemory({ intraOpThreads: 2 }, 'fast')).toEqual({ intraOpThreads: 2, memoryPattern: false });
    expect(sessionForMemory({ disabledOptimizers: ['X'] }, 'lean')).toEqual({ prepacking: false, memoryArena: false, disabledOptimizers: ['X', 'NchwcTransformer'] });
  });

  it("estimates lean's step memory lower by one copy of the weights", () => {
    const config = tinyUNetConfig({ layers_per_block: 1 });
    const params = buildUNet(config, { batch: MB, height: 8, width: 8, textLength: 3, weights: shapeOnlyWeights(), gates: 'none' }).params;
    const weightBytes = params.reduce((s, p) => s + 4 * p.shape.reduce((a, d) => a * d, 1), 0);
    expect(weightBytes).toBeGreaterThan(0);
    expect(stepMemoryBytes(config, MB, 8, 8, 3, 'fast') - stepMemoryBytes(config, MB, 8, 8, 3, 'lean')).toBe(weightBytes);
  });

  it("the prune config's memory key defaults to 'fast', keeps 'lean' and refuses others", () => {
    const base = { model: 'm', dataset: 'd', budget: 0.5 };
    expect(pruneConfigSchema.parse(base).memory).toBe('fast');
    expect(pruneConfigSchema.parse({ ...base, memory: 'lean' }).memory).toBe('lean');
    expect(pruneConfigSchema.parse(JSON.parse(JSON.stringify(pruneConfigSchema.parse({ ...base, memory: 'lean' })))).memory).toBe('lean');
    expect(pruneConfigSchema.safeParse({ ...base, memory: 'small' }).success).toBe(false);
  });
});
