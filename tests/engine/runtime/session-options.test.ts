// Session options the engine passes to onnxruntime: prepacking, thread spinning and the CPU memory
// arena are turned off only when asked, together when both are asked, and a session without
// spinning or without the arena runs (real sessions).
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src/engine/ir';
import { emitModel } from '../../../src/engine/onnx';
import { hostTensor, loadSession } from '../../../src/engine/runtime';
import { ortSessionOptions } from '../../../src/engine/runtime/session';

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
  });

  it.each([['whose threads do not spin', { spinning: false }], ['without the memory arena', { memoryArena: false }], ['without the memory pattern', { memoryPattern: false }]] as const)('runs a session %s', async (_label, config) => {
    const b = new GraphBuilder('double');
    b.output(b.add(b.input('x', 'float32', [3]), b.input('x2', 'float32', [3])), 'y');
    const session = await loadSession({ bytes: emitModel(b.build()) }, 'cpu', { intraOpThreads: 2, ...config });
    const out = await session.run({ x: hostTensor('float32', [3], Float32Array.of(1, 2, 3)), x2: hostTensor('float32', [3], Float32Array.of(1, 2, 3)) });
    expect([...(out['y']?.data as Float32Array)]).toEqual([2, 4, 6]);
    await session.dispose();
  });
});
