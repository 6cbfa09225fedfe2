// The engine host's log text: a user's error is one line (code and message, never the details,
// which may list the folder they chose); a bug keeps its stack.
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../src/engine/core/errors';
import { errorLogText, isOrdinaryError } from '../../../src/engine/host/log-line';

describe('errorLogText', () => {
  it('writes an ordinary error as one line without its details', () => {
    const error = new EngineError('not-found', '/home/u is not a Stable Diffusion model:\n  it has no model_index.json.', { dir: '/home/u', files: ['secret-diary.txt', 'taxes-2026.pdf'] });
    const text = errorLogText('engine host: inspectModel', error);
    expect(text).toBe('engine host: inspectModel failed [not-found]: /home/u is not a Stable Diffusion model: it has no model_index.json.');
    expect(text).not.toMatch(/secret-diary|taxes/);
    expect(isOrdinaryError(error)).toBe(true);
  });

  it('keeps the stack of what is not the user\'s error', () => {
    const bug = new TypeError('cannot read properties of undefined');
    const text = errorLogText('engine host: job j1', bug);
    expect(text.split('\n').length).toBeGreaterThan(1);
    expect(text).toMatch(/^engine host: job j1 failed: TypeError: cannot read properties of undefined\n\s+at /);
    const broken = new EngineError('runtime-failure', 'onnxruntime failed', { files: ['x'] });
    expect(errorLogText('w', broken)).toMatch(/^w failed: EngineError: onnxruntime failed\n\s+at /);
    expect(isOrdinaryError(broken)).toBe(false);
    expect(errorLogText('w', 'a string')).toBe('w failed: a string');
  });
});
