// The allocator settings the engine gives the processes it starts: added where unset, a user's own
// value kept, and the CLI's list of what its own process lacks (Linux only: glibc reads them).
import { describe, expect, it } from 'vitest';
import { ALLOCATOR_ENV, missingAllocatorEnv, withAllocatorEnv } from '../../../src/engine/runs/allocator-env';

describe('allocator environment', () => {
  it('adds the settings to an environment without them and keeps everything else', () => {
    const env = withAllocatorEnv({ PATH: '/bin' });
    expect(env['PATH']).toBe('/bin');
    expect(env['MALLOC_MMAP_THRESHOLD_']).toBe('131072');
    expect(Object.keys(ALLOCATOR_ENV)).toEqual(['MALLOC_MMAP_THRESHOLD_']);
  });

  it("keeps a value the user set", () => {
    expect(withAllocatorEnv({ MALLOC_MMAP_THRESHOLD_: '65536' })['MALLOC_MMAP_THRESHOLD_']).toBe('65536');
  });

  it('lists what a Linux process started without, and nothing elsewhere', () => {
    expect(missingAllocatorEnv({}, 'linux')).toEqual(['MALLOC_MMAP_THRESHOLD_=131072']);
    expect(missingAllocatorEnv({ MALLOC_MMAP_THRESHOLD_: '1' }, 'linux')).toEqual([]);
    expect(missingAllocatorEnv({}, 'darwin')).toEqual([]);
  });
});
