// RuntimeSession and the session cache on real onnxruntime CPU sessions over models the engine's
// emitter writes: typed inputs and outputs, errors that name the model and node, thread options,
// caching by graph hash, eviction, loading by path.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DType } from '../../../src/engine/core/dtype';
import { EngineError } from '../../../src/engine/core/errors';
import { GraphBuilder } from '../../../src/engine/ir/builder';
import { emitModel } from '../../../src/engine/onnx/model';
import { loadSession } from '../../../src/engine/runtime/session';
import { SessionCache } from '../../../src/engine/runtime/session-cache';
import { hostTensor } from '../../../src/engine/runtime/tensor';

type BinaryOp = 'Add' | 'Sub' | 'Mul' | 'Max' | 'Min';

/** c = op(a, b) over dtype[n]. */
function binary(op: BinaryOp, dtype: DType, n = 2): Uint8Array {
  const b = new GraphBuilder(`${op.toLowerCase()}_${dtype}`);
  const x = b.input('a', dtype, [n]);
  const y = b.input('b', dtype, [n]);
  b.output(b.op1(op, [x, y], {}, `${op.toLowerCase()}_node`), 'c');
  return emitModel(b.build());
}

async function expectEngineError(p: Promise<unknown>, code: string): Promise<EngineError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(EngineError);
  expect((err as EngineError).code).toBe(code);
  return err as EngineError;
}

describe('RuntimeSession', () => {
  it('runs float64, float32 and int64 graphs with named typed inputs', async () => {
    const f64 = await loadSession({ bytes: binary('Mul', 'float64', 3), name: 'mul64' }, 'cpu');
    const out = await f64.run({ a: hostTensor('float64', [3], new Float64Array([1, 2, 3])), b: hostTensor('float64', [3], new Float64Array([0.5, 0.25, 1e-300])) });
    expect(out.c).toEqual({ dtype: 'float64', dims: [3], data: new Float64Array([0.5, 0.5, 3e-300]) });
    const i64 = await loadSession({ bytes: binary('Add', 'int64') }, 'cpu', { intraOpThreads: 1, interOpThreads: 1 });
    const sum = await i64.run({ a: hostTensor('int64', [2], new BigInt64Array([2n ** 40n, -1n])), b: hostTensor('int64', [2], new BigInt64Array([1n, 1n])) });
    expect([...(sum.c?.data as BigInt64Array)]).toEqual([2n ** 40n + 1n, 0n]);
    await f64.dispose();
    await i64.dispose();
  });

  it('passes float16 as raw half bits and bool as bytes', async () => {
    const half = await loadSession({ bytes: binary('Add', 'float16') }, 'cpu');
    const one = 0x3c00;
    const out = await half.run({ a: hostTensor('float16', [2], new Uint16Array([one, one])), b: hostTensor('float16', [2], new Uint16Array([one, 0])) });
    expect(out.c?.data).toEqual(new Uint16Array([0x4000, one]));
    const g = new GraphBuilder('not');
    g.output(g.not(g.input('a', 'bool', [3])), 'c');
    const not = await loadSession({ bytes: emitModel(g.build()) }, 'cpu');
    expect((await not.run({ a: hostTensor('bool', [3], new Uint8Array([1, 0, 1])) })).c?.data).toEqual(new Uint8Array([0, 1, 0]));
  });

  it('wraps an onnxruntime run failure into runtime-failure naming the model and node', async () => {
    const g = new GraphBuilder('lookup');
    const table = g.input('table', 'float32', [2]);
    g.output(g.scope('embed', () => g.gather(table, g.input('i', 'int64', [1]))), 'row');
    const s = await loadSession({ bytes: emitModel(g.build()), name: 'lookup' }, 'cpu');
    const run = (i: bigint) => s.run({ table: hostTensor('float32', [2], new Float32Array([3, 4])), i: hostTensor('int64', [1], new BigInt64Array([i])) });
    expect((await run(-1n)).row?.data).toEqual(new Float32Array([4]));
    const err = await expectEngineError(run(5n), 'runtime-failure');
    expect(err.message).toContain("model 'lookup' at node 'embed/Gather");
    expect(err.details).toMatchObject({ model: 'lookup', op: 'Gather', node: 'embed/Gather_0', stage: 'run' });
    const shape = await expectEngineError(s.run({ table: hostTensor('float32', [3], new Float32Array(3)), i: hostTensor('int64', [1], new BigInt64Array(1)) }), 'runtime-failure');
    expect(shape.message).toMatch(/invalid dimensions for input: table/);
  });

  it('wraps a load failure and rejects bad names, bad data lengths and bad thread counts', async () => {
    const err = await expectEngineError(loadSession({ bytes: new Uint8Array([1, 2, 3]), name: 'garbage' }, 'cpu'), 'runtime-failure');
    expect(err.details).toMatchObject({ model: 'garbage', stage: 'load' });
    const s = await loadSession({ bytes: binary('Add', 'float32', 1) }, 'cpu');
    const bad = await expectEngineError(s.run({ a: hostTensor('float32', [1], new Float32Array(1)), x: hostTensor('float32', [1], new Float32Array(1)) }), 'invalid-argument');
    expect(bad.details).toMatchObject({ missing: ['b'], unknown: ['x'] });
    expect(() => hostTensor('float32', [2, 2], new Float32Array(3))).toThrow(EngineError);
    await expectEngineError(loadSession({ bytes: binary('Add', 'float32') }, 'cpu', { intraOpThreads: 0 }), 'invalid-argument');
  });

  it('returns only the requested outputs', async () => {
    const g = new GraphBuilder('two_outputs');
    const a = g.input('a', 'float32', [2]);
    g.output(g.neg(a), 'n');
    g.output(g.abs(a), 'm');
    const s = await loadSession({ bytes: emitModel(g.build()) }, 'cpu');
    const out = await s.run({ a: hostTensor('float32', [2], new Float32Array([-1, 2])) }, ['m']);
    expect(Object.keys(out)).toEqual(['m']);
    expect(out.m?.data).toEqual(new Float32Array([1, 2]));
  });
});

describe('SessionCache', () => {
  it('reuses a session for the same bytes and options, and separates different options', async () => {
    const cache = new SessionCache(4);
    const a = await cache.open({ bytes: binary('Add', 'float32') }, { provider: 'cpu' });
    const b = await cache.open({ bytes: binary('Add', 'float32').slice() }, { provider: 'cpu' });
    const c = await cache.open({ bytes: binary('Add', 'float32') }, { provider: 'cpu', intraOpThreads: 1 });
    const d = await cache.open({ bytes: binary('Sub', 'float32') }, { provider: 'cpu' });
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(d.key).not.toBe(a.key);
    expect(cache.size).toBe(3);
    await cache.clear();
    expect(a.disposed).toBe(true);
  });

  it('loads a fresh session when the cached one was disposed by its caller', async () => {
    const cache = new SessionCache(4);
    const first = await cache.open({ bytes: binary('Add', 'float32') }, { provider: 'cpu' });
    await first.dispose();
    const again = await cache.open({ bytes: binary('Add', 'float32') }, { provider: 'cpu' });
    expect(again).not.toBe(first);
    expect(again.disposed).toBe(false);
    expect(cache.size).toBe(1);
    await cache.clear();
  });

  it('evicts the least recently used session and disposes it', async () => {
    const cache = new SessionCache(2);
    const add = await cache.open({ bytes: binary('Add', 'float32') }, { provider: 'cpu' });
    const sub = await cache.open({ bytes: binary('Sub', 'float32') }, { provider: 'cpu' });
    expect(await cache.open({ bytes: binary('Add', 'float32') }, { provider: 'cpu' })).toBe(add);
    await cache.open({ bytes: binary('Mul', 'float32') }, { provider: 'cpu' });
    expect(sub.disposed).toBe(true);
    expect(add.disposed).toBe(false);
    const err = await expectEngineError(sub.run({}), 'runtime-failure');
    expect(err.message).toContain('openSession');
    await cache.clear();
  });

  it('lets a run in flight finish when its session is evicted', async () => {
    const cache = new SessionCache(1);
    const s = await cache.open({ bytes: binary('Add', 'float64', 4096) }, { provider: 'cpu' });
    const x = hostTensor('float64', [4096], new Float64Array(4096).fill(1));
    const running = s.run({ a: x, b: x });
    await cache.open({ bytes: binary('Sub', 'float64') }, { provider: 'cpu' });
    expect(s.disposed).toBe(true);
    expect((await running).c?.data[4095]).toBe(2);
    await cache.clear();
  });

  it('falls back to the CPU, saying why, when an automatically chosen provider fails to initialise', async () => {
    const cache = new SessionCache(4, async (config) => (config.provider === undefined || config.provider === 'auto' ? 'dml' : config.provider));
    const s = await cache.open({ bytes: binary('Add', 'float32'), name: 'adder' });
    expect(s.provider).toBe('cpu');
    expect(s.fallback).toMatch(/^dml failed to initialise this model \(.+\); running on the CPU\.$/);
    const out = await s.run({ a: hostTensor('float32', [2], new Float32Array([1, 2])), b: hostTensor('float32', [2], new Float32Array([3, 4])) });
    expect(out.c?.data).toEqual(new Float32Array([4, 6]));
    const err = await expectEngineError(cache.open({ bytes: binary('Add', 'float32'), name: 'adder' }, { provider: 'dml' }), 'provider-unavailable');
    expect(err.details).toMatchObject({ provider: 'dml', model: 'adder' });
    await cache.clear();
  });

  it('loads a model by path and keys it by the file content', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aptp-rt-'));
    const path = join(dir, 'model.onnx');
    writeFileSync(path, binary('Max', 'float64'));
    const cache = new SessionCache();
    const s = await cache.open({ path }, { provider: 'auto' });
    const out = await s.run({ a: hostTensor('float64', [2], new Float64Array([1, 5])), b: hostTensor('float64', [2], new Float64Array([3, 4])) });
    expect(out.c?.data).toEqual(new Float64Array([3, 5]));
    writeFileSync(path, binary('Min', 'float64'));
    expect(await cache.open({ path }, { provider: 'auto' })).not.toBe(s);
    await expectEngineError(cache.open({ path: join(dir, 'absent.onnx') }), 'io-failure');
    await cache.clear();
  });
});
