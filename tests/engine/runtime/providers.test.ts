// Execution-provider detection: the real report on this machine, and the decision logic under
// simulated platforms (missing CUDA binaries, no driver, failing probes, DirectML, CoreML).
import { describe, expect, it } from 'vitest';
import { executionProviderSchema } from '../../../src/shared/machine-info';
import { detectProviders, probeModelBytes, probeProvider, providerReport, type ProbeEnvironment } from '../../../src/engine/runtime/providers';

function fakeEnv(over: Partial<ProbeEnvironment>): ProbeEnvironment {
  return {
    platform: 'linux',
    arch: 'x64',
    backends: ['cpu', 'cuda'],
    binaryDir: '/ort/bin',
    fileExists: () => true,
    probe: async () => null,
    ...over,
  };
}

describe('detectProviders on this machine', () => {
  it('reports all four providers in the MachineInfo shape, with the CPU available', async () => {
    const report = await detectProviders();
    expect(report.providers.map((p) => p.name)).toEqual(['cuda', 'dml', 'coreml', 'cpu']);
    for (const p of report.providers) expect(executionProviderSchema.parse(p)).toEqual(p);
    expect(report.providers.find((p) => p.name === 'cpu')?.available).toBe(true);
    expect(report.onnxruntimeVersion).toBe('1.24.3');
    const chosen = report.providers.find((p) => p.name === report.chosen);
    expect(chosen?.available).toBe(true);
    expect(report.reason.length).toBeGreaterThan(10);
  });

  it('applies a preference to the cached report and explains an unmet one', async () => {
    expect((await providerReport('cpu')).chosen).toBe('cpu');
    const [foreign, label] = process.platform === 'win32' ? (['coreml', 'CoreML'] as const) : (['dml', 'DirectML'] as const);
    const report = await providerReport(foreign);
    expect(report.chosen).toBe('cpu');
    expect(report.reason).toContain(`${label} was requested but is unavailable`);
    expect((await providerReport()).providers).toEqual(report.providers);
  });

  it('probes the CPU with a real session on an emitted model', async () => {
    expect(probeModelBytes().byteLength).toBeGreaterThan(20);
    expect(await probeProvider('cpu')).toBeNull();
  });
});

describe('detectProviders decisions', () => {
  it('names the missing CUDA provider library and falls back to CPU', async () => {
    const report = await detectProviders(fakeEnv({ fileExists: (p) => !p.endsWith('libonnxruntime_providers_cuda.so') }));
    const cuda = report.providers.find((p) => p.name === 'cuda');
    expect(cuda?.available).toBe(false);
    expect(cuda?.reason).toContain('libonnxruntime_providers_cuda.so missing');
    expect(report.chosen).toBe('cpu');
    expect(report.reason).toContain('CUDA is unavailable');
  });

  it('says when no NVIDIA driver is present', async () => {
    const report = await detectProviders(fakeEnv({ fileExists: (p) => p.startsWith('/ort/bin') }));
    expect(report.providers[0]?.reason).toMatch(/No NVIDIA driver/);
    expect(report.chosen).toBe('cpu');
  });

  it('falls back cleanly when the CUDA probe session throws, recording why', async () => {
    const report = await detectProviders(fakeEnv({ probe: async (p) => (p === 'cuda' ? 'CUDA failure 35: driver too old' : null) }));
    expect(report.providers[0]).toMatchObject({ name: 'cuda', available: false });
    expect(report.providers[0]?.reason).toContain('driver too old');
    expect(report.chosen).toBe('cpu');
  });

  it('chooses CUDA on Linux when everything is in place', async () => {
    const report = await detectProviders(fakeEnv({}));
    expect(report.chosen).toBe('cuda');
    expect(report.providers.find((p) => p.name === 'dml')?.reason).toContain('only used on Windows');
  });

  it('chooses DirectML on Windows and CoreML on macOS', async () => {
    expect((await detectProviders(fakeEnv({ platform: 'win32', backends: ['cpu', 'dml'] }))).chosen).toBe('dml');
    expect((await detectProviders(fakeEnv({ platform: 'darwin', arch: 'arm64', backends: ['cpu', 'coreml'] }))).chosen).toBe('coreml');
  });

  it('reports a provider that is not compiled into onnxruntime-node', async () => {
    const report = await detectProviders(fakeEnv({ platform: 'darwin', backends: ['cpu'] }));
    expect(report.providers.find((p) => p.name === 'coreml')?.reason).toContain('no CoreML provider compiled in');
    expect(report.chosen).toBe('cpu');
  });

  it('honours a preference for CPU and explains a preference that cannot be met', async () => {
    expect((await detectProviders(fakeEnv({}), 'cpu')).chosen).toBe('cpu');
    const r = await detectProviders(fakeEnv({ platform: 'win32', backends: ['cpu'] }), 'dml');
    expect(r.chosen).toBe('cpu');
    expect(r.reason).toContain('DirectML was requested but is unavailable');
  });
});
