// The training graph's interface (inputs, outputs, dropped gradients), the first AdamW step's closed
// form p1 = p0 (1 - lr wd) - lr g / (|g| + eps), SGD's plain step, and the errors for bad options
// and parameters. Step-by-step agreement with torch.optim is in tests/oracle/test_optimizers.py.
import { describe, expect, it } from 'vitest';
import { isEngineError } from '../../../src/engine/core/errors';
import { GraphBuilder, type Graph } from '../../../src/engine/ir';
import { hostTensor } from '../../../src/engine/runtime';
import { Trainer, adamW, buildTrainingGraph, sgd } from '../../../src/engine/train';

function linearLoss(): Graph {
  const b = new GraphBuilder('linear_loss');
  const p = b.input('p', 'float64', [4]);
  b.output(b.reduceSum(b.mul(p, b.input('G', 'float64', [4])), undefined, false), 'loss');
  return b.build();
}

const p0 = [0.5, -1, 2, 0.25];
const g = [0.3, -2, 1e-3, 4];
const f64 = (values: number[]) => hostTensor('float64', [values.length], Float64Array.from(values));

describe('buildTrainingGraph', () => {
  it('takes packed parameters and state and hyperparameters, and returns the loss and the packed updates only', () => {
    const graph = buildTrainingGraph(linearLoss(), { loss: 'loss', params: ['p'], optimizer: adamW() });
    expect(graph.inputs.map((v) => v.name).sort()).toEqual(['G', 'opt/decay', 'opt/packed/exp_avg', 'opt/packed/exp_avg_sq', 'opt/sqrt_bc2', 'opt/step_size', 'packed/params']);
    expect(graph.outputs.map((o) => o.name).sort()).toEqual(['loss', 'new/opt/packed/exp_avg', 'new/opt/packed/exp_avg_sq', 'new/packed/params']);
  });

  it('packs parameters of any shape end to end and updates each as if alone', async () => {
    // loss = sum(a * A) + sum(b * B): AdamW's first step moves every element by lr sign(g) (wd 0)
    const b = new GraphBuilder('two_params');
    const a = b.input('a', 'float64', [2, 3]);
    const c = b.input('c', 'float64', [4]);
    b.output(b.add(b.reduceSum(b.mul(a, b.input('A', 'float64', [2, 3])), undefined, false), b.reduceSum(b.mul(c, b.input('C', 'float64', [4])), undefined, false)), 'loss');
    const graph = buildTrainingGraph(b.build(), { loss: 'loss', params: ['a', 'c'], optimizer: adamW() });
    expect(graph.inputs.find((v) => v.name === 'packed/params')?.type.shape).toEqual([10]);
    const [a0, c0, ga, gc] = [[1, 2, 3, 4, 5, 6], [-1, -2, -3, -4], [0.5, -1, 2, -3, 4, -5], [1, -1, 1e-3, -7]];
    const trainer = await Trainer.create(b.build(), { params: { a: hostTensor('float64', [2, 3], Float64Array.from(a0)), c: f64(c0) }, optimizer: adamW({ lr: 0.1, weightDecay: 0 }) });
    await trainer.step({ A: hostTensor('float64', [2, 3], Float64Array.from(ga)), C: f64(gc) });
    const moved = (p: number[], gs: number[]) => p.map((v, i) => v - (0.1 * (gs[i] ?? 0)) / (Math.abs(gs[i] ?? 0) + 1e-8));
    expect(trainer.parameters.a?.dims).toEqual([2, 3]);
    Array.from(trainer.parameters.a?.data as Float64Array).forEach((v, i) => expect(v).toBeCloseTo(moved(a0, ga)[i] ?? 0, 12));
    Array.from(trainer.parameters.c?.data as Float64Array).forEach((v, i) => expect(v).toBeCloseTo(moved(c0, gc)[i] ?? 0, 12));
    const snap = trainer.snapshot();
    expect(Object.keys(snap.optimizerState).sort()).toEqual(['opt/a/exp_avg', 'opt/a/exp_avg_sq', 'opt/c/exp_avg', 'opt/c/exp_avg_sq']);
    Array.from(snap.optimizerState['opt/c/exp_avg']?.data as Float64Array).forEach((v, i) => expect(v).toBeCloseTo(0.1 * (gc[i] ?? 0), 12));
  });

  it('refuses a parameter that is not a graph input', () => {
    expect(() => buildTrainingGraph(linearLoss(), { loss: 'loss', params: ['q'], optimizer: sgd({ lr: 1 }) })).toThrow(/not an input/);
  });
});

describe('optimiser steps', () => {
  it('AdamW first step is p0 (1 - lr wd) - lr g / (|g| + eps)', async () => {
    const [lr, wd, eps] = [0.1, 0.5, 1e-8];
    const trainer = await Trainer.create(linearLoss(), { params: { p: f64(p0) }, optimizer: adamW({ lr, weightDecay: wd, eps }) });
    const { loss } = await trainer.step({ G: f64(g) });
    expect(loss).toBeCloseTo(p0.reduce((s, p, i) => s + p * (g[i] ?? 0), 0), 12);
    const expected = p0.map((p, i) => p * (1 - lr * wd) - (lr * (g[i] ?? 0)) / (Math.abs(g[i] ?? 0) + eps));
    Array.from(trainer.parameters.p?.data as Float64Array).forEach((v, i) => expect(v).toBeCloseTo(expected[i] ?? 0, 10));
    expect(trainer.stepCount).toBe(1);
  });

  it('SGD steps p - lr g, twice', async () => {
    const trainer = await Trainer.create(linearLoss(), { params: { p: f64(p0) }, optimizer: sgd({ lr: 0.2 }) });
    await trainer.step({ G: f64(g) });
    await trainer.step({ G: f64(g) }, 0.1);
    Array.from(trainer.parameters.p?.data as Float64Array).forEach((v, i) => expect(v).toBeCloseTo((p0[i] ?? 0) - 0.3 * (g[i] ?? 0), 12));
  });

  it('resumes from a snapshot exactly where it stopped (AdamW moments and bias correction included)', async () => {
    const grads = [g, g.map((v) => -0.5 * v), g.map((v) => v * v), g.map((v) => 1 - v)];
    const straight = await Trainer.create(linearLoss(), { params: { p: f64(p0) }, optimizer: adamW({ lr: 0.1 }) });
    for (const gi of grads) await straight.step({ G: f64(gi) });
    const first = await Trainer.create(linearLoss(), { params: { p: f64(p0) }, optimizer: adamW({ lr: 0.1 }) });
    for (const gi of grads.slice(0, 2)) await first.step({ G: f64(gi) });
    const resumed = await Trainer.create(linearLoss(), { params: { p: f64(p0) }, optimizer: adamW({ lr: 0.1 }), resume: first.snapshot() });
    expect(resumed.stepCount).toBe(2);
    for (const gi of grads.slice(2)) await resumed.step({ G: f64(gi) });
    expect(Array.from(resumed.parameters.p?.data as Float64Array)).toEqual(Array.from(straight.parameters.p?.data as Float64Array));
    const wrong = Trainer.create(linearLoss(), { params: { p: f64(p0) }, optimizer: adamW(), resume: { step: 1, params: { p: f64(p0) }, optimizerState: {} } });
    await expect(wrong).rejects.toThrow(/no optimizer state 'opt\/p\/exp_avg'/);
  });

  it('rejects bad options and mismatched parameters with EngineErrors', async () => {
    for (const make of [() => adamW({ lr: -1 }), () => adamW({ betas: [1, 0.9] }), () => sgd({ lr: 0.1, nesterov: true })]) {
      expect(() => make()).toThrow(/lr|betas|Nesterov/);
    }
    const wrong = Trainer.create(linearLoss(), { params: { p: hostTensor('float64', [3], new Float64Array(3)) }, optimizer: sgd({ lr: 1 }) });
    await expect(wrong).rejects.toSatisfy((e: unknown) => isEngineError(e) && e.code === 'shape-mismatch');
  });
});
