// onnxruntime's raw text never reaches the user without our own sentence first: what failed (model,
// node, op), what to do, then onnxruntime's words marked as such; running out of memory says so.
import { describe, expect, it } from 'vitest';
import { wrapOrtError } from '../../../src/engine/runtime/ort-error';

describe('wrapOrtError', () => {
  it('puts our sentence and what to do before onnxruntime\'s text', () => {
    const e = wrapOrtError(new Error("Non-zero status code returned while running Conv node. Name:'conv_in' Status Message: bad shape"), { model: 'unet', stage: 'run' });
    expect(e.code).toBe('runtime-failure');
    expect(e.message).toMatch(/^Could not run model 'unet' at node 'conv_in' \(Conv\)\. Check the input shapes .*\(onnxruntime said: Non-zero status code returned while running Conv node\..*\)$/);
    expect(e.details).toMatchObject({ model: 'unet', stage: 'run', node: 'conv_in', op: 'Conv' });
  });

  it('says plainly that memory ran out', () => {
    const e = wrapOrtError(new Error('/onnxruntime/core/framework/bfc_arena.cc:359 Failed to allocate memory for requested buffer of size 34359738368'), { model: 'unet', stage: 'run' });
    expect(e.message).toMatch(/^Could not run model 'unet'\. The machine ran out of memory: choose a smaller image size or fewer images at a time, or close other programs\. \(onnxruntime said: .*Failed to allocate memory/);
  });
});
