// The runtime on models the engine's own emitter writes: external data loaded by path, and the
// fallback to 'basic' optimisation when onnxruntime would fuse a float64 graph into a float-only kernel.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src/engine/ir/builder';
import { emitModel } from '../../../src/engine/onnx/model';
import { writeModel } from '../../../src/engine/onnx/write';
import { loadSession } from '../../../src/engine/runtime/session';
import { SessionCache } from '../../../src/engine/runtime/session-cache';
import { hostTensor } from '../../../src/engine/runtime/tensor';

describe('runtime on emitted models', () => {
  it('loads a model whose weights live in external data beside it', async () => {
    const b = new GraphBuilder('ext');
    const x = b.input('x', 'float32', [2, 3]);
    const w = b.initializer('w', Float32Array.from({ length: 3 * 512 }, (_, i) => (i % 7) - 3), [3, 512]);
    b.output(b.matmul(x, w), 'y');
    const dir = mkdtempSync(join(tmpdir(), 'aptp-ext-'));
    const written = await writeModel(b.build(), join(dir, 'model.onnx'), { externalThreshold: 1 });
    expect(written.dataPath && existsSync(written.dataPath)).toBe(true);
    const cache = new SessionCache();
    const s = await cache.open({ path: written.modelPath }, { provider: 'cpu' });
    const out = await s.run({ x: hostTensor('float32', [2, 3], new Float32Array([1, 0, 0, 0, 1, 1])) });
    expect(out.y?.dims).toEqual([2, 512]);
    expect(out.y?.data[0]).toBe(-3);
    expect(out.y?.data[512]).toBe((512 % 7) - 3 + ((1024 % 7) - 3));
    await cache.clear();
  });

  it('falls back to basic optimisation when a fusion has no float64 kernel', async () => {
    const b = new GraphBuilder('silu64');
    const x = b.input('x', 'float64', [4]);
    b.output(b.silu(x), 'y');
    const s = await loadSession({ bytes: emitModel(b.build()), name: 'silu64' }, 'cpu');
    expect(s.optimization).toBe('basic');
    const xs = [-2, -0.5, 0, 3];
    const out = await s.run({ x: hostTensor('float64', [4], Float64Array.from(xs)) });
    xs.forEach((v, i) => expect(out.y?.data[i]).toBeCloseTo(v / (1 + Math.exp(-v)), 14));
    await s.dispose();
  });
});
