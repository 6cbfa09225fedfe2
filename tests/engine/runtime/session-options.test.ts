// Session options the engine passes to onnxruntime: prepacking, thread spinning and the CPU memory
// arena are turned off only when asked, together when both are asked, and a session without
// spinning or without the arena runs (real sessions); a profiled session writes onnxruntime's
// per-kernel trace, which bench/ort-profile.ts sums by op type.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src/engine/ir';
import { emitModel } from '../../../src/engine/onnx';
import { hostTensor, loadSession } from '../../../src/engine/runtime';
import { ortSessionOptions } from '../../../src/engine/runtime/session';
import { profileFile, runProfile } from '../../../bench/ort-profile';

describe('session options', () => {
  it('turns spinning and prepacking off only when asked', () => {
    expect(ortSessionOptions('cpu', { intraOpThreads: 2 }).extra).toBeUndefined();
    expect(ortSessionOptions('cpu', { spinning: false }).extra).toEqual({ session: { 'intra_op.allow_spinning': '0', 'inter_op.allow_spinning': '0' } });
    expect(ortSessionOptions('cpu', { prepacking: false, spinning: false }).extra).toEqual({ session: { disable_prepacking: '1', 'intra_op.allow_spinning': '0', 'inter_op.allow_spinning': '0' } });
    expect(ortSessionOptions('cpu', { prepacking: false }).extra).toEqual({ session: { disable_prepacking: '1' } });
    expect(ortSessionOptions('cpu', {}).enableCpuMemArena).toBeUndefined();
    expect(ortSessionOptions('cpu', { memoryArena: false }).enableCpuMemArena).toBe(false);
    expect(ortSessionOptions('cpu', {}).enableMemPattern).toBeUndefined();
    expect(ortSessionOptions('cpu', { memoryPattern: false }).enableMemPattern).toBe(false);
    expect(ortSessionOptions('cpu', {}).enableProfiling).toBeUndefined();
  });

  it.each([['whose threads do not spin', { spinning: false }], ['without the memory arena', { memoryArena: false }], ['without the memory pattern', { memoryPattern: false }]] as const)('runs a session %s', async (_label, config) => {
    const b = new GraphBuilder('double');
    b.output(b.add(b.input('x', 'float32', [3]), b.input('x2', 'float32', [3])), 'y');
    const session = await loadSession({ bytes: emitModel(b.build()) }, 'cpu', { intraOpThreads: 2, ...config });
    const out = await session.run({ x: hostTensor('float32', [3], Float32Array.of(1, 2, 3)), x2: hostTensor('float32', [3], Float32Array.of(1, 2, 3)) });
    expect([...(out['y']?.data as Float32Array)]).toEqual([2, 4, 6]);
    await session.dispose();
  });

  it('records a per-kernel profile when asked, which bench/ort-profile.ts sums by op type', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ort-profile-'));
    try {
      const b = new GraphBuilder('profiled');
      const x = b.input('x', 'float32', [64, 64]);
      b.output(b.exp(b.matmul(x, x)), 'y');
      const session = await loadSession({ bytes: emitModel(b.build()) }, 'cpu', { intraOpThreads: 1, profileFilePrefix: join(dir, 'run') });
      const feeds = { x: hostTensor('float32', [64, 64], new Float32Array(64 * 64).fill(0.5)) };
      for (let i = 0; i < 3; i++) await session.run(feeds);
      await session.dispose();
      const profile = runProfile(profileFile(join(dir, 'run')));
      expect(new Set(profile.byOp.map(([op]) => op))).toEqual(new Set(['MatMul', 'Exp']));
      expect(profile.kernelMs).toBeGreaterThan(0);
      expect(profile.kernelMs).toBeLessThanOrEqual(profile.runMs);
      expect(profile.matmulShare).toBeGreaterThan(0);
      expect(profile.matmulShare).toBeLessThan(1);
      expect(() => runProfile(profileFile(join(dir, 'run')), 5)).toThrow(/no run 5 \(3 runs\)/);
      expect(() => profileFile(join(dir, 'other'))).toThrow(/no onnxruntime profile 'other_\*\.json'/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
